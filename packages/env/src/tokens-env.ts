import type { z } from "zod";

import { composeEnv } from "./compose";
import { databaseEnv } from "./fragments/database";
import { runtimeEnv } from "./fragments/runtime";
import { secretsEnv } from "./fragments/secrets";

/** What `pnpm tokens:reencrypt` reads: the database and the token keys. */
export const tokensEnvSchema = composeEnv(runtimeEnv, databaseEnv, secretsEnv);

export type TokensEnv = z.output<typeof tokensEnvSchema>;
