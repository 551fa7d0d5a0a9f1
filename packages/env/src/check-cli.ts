import { EnvError, parseEnv } from "./parse-env";
import { loadDotEnv } from "./load-dotenv";
import { jobsEnvSchema } from "./jobs-env";
import { serverEnvSchema } from "./server-env";

// `pnpm env:check`: validates the environment of every process before `pnpm dev` or
// `pnpm start` launches them, so a bad variable stops everything with one clear message
// instead of a watcher waiting on a process that exited.
loadDotEnv();
const problems: string[] = [];
for (const [name, schema] of [
  ["server", serverEnvSchema],
  ["jobs", jobsEnvSchema],
] as const) {
  try {
    parseEnv(schema);
  } catch (error) {
    if (!(error instanceof EnvError)) throw error;
    problems.push(`${name}: ${error.message}`);
  }
}
if (problems.length) {
  process.stderr.write(`${problems.join("\n")}\n`);
  process.exit(1);
}
