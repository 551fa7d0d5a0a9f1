import type { z } from "zod";

import { composeEnv } from "./compose";
import { loggingEnv } from "./fragments/logging";
import { providerStandinsEnv } from "./fragments/provider-standins";
import { runtimeEnv } from "./fragments/runtime";

/** Every variable the provider stand-in server reads (it refuses NODE_ENV=production). */
export const providerStandinsEnvSchema = composeEnv(runtimeEnv, loggingEnv, providerStandinsEnv);

export type ProviderStandinsEnv = z.output<typeof providerStandinsEnvSchema>;
