import type { z } from "zod";

import { composeEnv } from "./compose";
import { databaseEnv } from "./fragments/database";
import { runtimeEnv } from "./fragments/runtime";

/** What the migration runner and other database-only scripts read. */
export const databaseEnvSchema = composeEnv(runtimeEnv, databaseEnv);

export type DatabaseEnv = z.output<typeof databaseEnvSchema>;
