import { loadEnvOrExit, serverEnvSchema } from "@lifeline/env";
import {
  createProcessLogger,
  installCrashHandlers,
  installGracefulShutdown,
} from "@lifeline/process";

import { buildApp } from "./app";
import { createDependencies } from "./dependencies";

const env = loadEnvOrExit(serverEnvSchema);
const logger = createProcessLogger("server", env);
installCrashHandlers(logger);

const { deps, readinessChecks, close } = await createDependencies(env, logger);
const app = await buildApp({ env, deps, logger, readinessChecks });

// In-flight requests finish first (Fastify's close waits for them), then the pools close.
const shutdown = installGracefulShutdown({
  logger,
  timeoutMs: 10_000,
  steps: [
    { name: "http", close: () => app.close() },
    { name: "dependencies", close },
  ],
});

try {
  await app.listen({ host: env.HOST, port: env.PORT });
} catch (error) {
  if ((error as { code?: string }).code !== "EADDRINUSE") throw error;
  // A plain fact for the person starting it, not a crash report.
  logger.fatal(
    `port ${env.PORT} on ${env.HOST} is already in use: stop what holds it, or set PORT`,
  );
  await shutdown("port in use", 1);
}
