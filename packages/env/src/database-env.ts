import { z } from "zod";

import { postgresUrl } from "./fields";

/** What the migration runner and other database-only scripts read. */
export const databaseEnvSchema = z.object({
  DATABASE_URL: postgresUrl.default("postgresql://postgres@127.0.0.1:5432/lifeline"),
});

export type DatabaseEnv = z.output<typeof databaseEnvSchema>;
