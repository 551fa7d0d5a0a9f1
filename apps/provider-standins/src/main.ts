import { loadEnvOrExit, providerStandinsEnvSchema } from "@lifeline/env";
import {
  createProcessLogger,
  installCrashHandlers,
  installGracefulShutdown,
} from "@lifeline/process";

import { startStandinServer } from "./server";

const env = loadEnvOrExit(providerStandinsEnvSchema);
if (env.NODE_ENV === "production") {
  // Anyone could link a fake account: this server exists for development and tests only.
  process.stderr.write("provider-standins refuses to run with NODE_ENV=production\n");
  process.exit(1);
}
const logger = createProcessLogger("provider-standins", env);
installCrashHandlers(logger);

const server = await startStandinServer({
  port: env.PROVIDER_STANDIN_PORT,
  host: env.PROVIDER_STANDIN_HOST,
  logger,
});
logger.info({ url: server.url }, "provider stand-ins listening (GET / lists them)");

installGracefulShutdown({
  logger,
  timeoutMs: 5_000,
  steps: [{ name: "http", close: () => server.close() }],
});
