import type { z } from "zod";

import { loadDotEnv } from "./load-dotenv";
import { EnvError, parseEnv } from "./parse-env";

/**
 * A process's start: the repository's .env (development), then its schema. An invalid
 * environment prints every problem and exits 1; there is no logger yet, since the
 * environment that configures it is what is wrong.
 */
export function loadEnvOrExit<T extends z.ZodType>(schema: T): z.output<T> {
  loadDotEnv();
  try {
    return parseEnv(schema);
  } catch (error) {
    if (!(error instanceof EnvError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  }
}
