import {
  EnvError,
  loadDotEnv,
  parseEnv,
  resolveFromRepoRoot,
  serverEnvSchema,
} from "@lifeline/env";
import { createLogger } from "@lifeline/logger";

import { buildApp } from "./app";
import { installCrashHandlers } from "./crash-handlers";
import { createDependencies } from "./dependencies";

loadDotEnv();
let env;
try {
  env = parseEnv(serverEnvSchema);
} catch (error) {
  if (!(error instanceof EnvError)) throw error;
  // No logger yet: the environment that configures it is what is wrong.
  process.stderr.write(`${error.message}\n`);
  process.exit(1);
}

const logger = createLogger({
  name: "server",
  level: env.LOG_LEVEL,
  // turbo runs this in apps/server; a relative LOG_DIR means the repository's, as documented.
  logDir: resolveFromRepoRoot(env.LOG_DIR),
  // Pretty in development even under turbo, which pipes (no TTY) but shows it to a person.
  pretty: env.NODE_ENV === "development",
});

installCrashHandlers(logger);

const { deps, readinessChecks, close } = await createDependencies(env, logger);
const app = await buildApp({ env, deps, logger, readinessChecks });

let shuttingDown = false;
async function shutdown(signal: string): Promise<void> {
  if (shuttingDown) return;
  shuttingDown = true;
  logger.info({ signal }, "shutting down: finishing in-flight requests");
  const force = setTimeout(() => {
    logger.error("shutdown took over 10 s; exiting");
    process.exit(1);
  }, 10_000);
  force.unref();
  try {
    await app.close();
    await close();
    logger.info("shutdown complete");
    logger.flush();
  } catch (error) {
    logger.error({ err: error }, "shutdown failed");
    process.exitCode = 1;
  }
}
process.once("SIGTERM", () => void shutdown("SIGTERM"));
process.once("SIGINT", () => void shutdown("SIGINT"));

try {
  await app.listen({ host: env.HOST, port: env.PORT });
} catch (error) {
  if ((error as { code?: string }).code !== "EADDRINUSE") throw error;
  // A plain fact for the person starting it, not a crash report.
  logger.fatal(
    `port ${env.PORT} on ${env.HOST} is already in use: stop what holds it, or set PORT`,
  );
  await close();
  logger.flush();
  process.exit(1);
}
