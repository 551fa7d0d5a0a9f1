import { randomBytes } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

import { parseEnv, serverEnvSchema, type ServerEnv } from "@lifeline/env";
import { silentLogger, type Logger } from "@lifeline/logger";
import type { FastifyInstance } from "fastify";

import { buildApp } from "../app";
import { createDependencies, type ServerDependencies } from "../dependencies";

export interface TestServer {
  app: FastifyInstance;
  deps: ServerDependencies["deps"];
  env: ServerEnv;
  /** Base URL when started with `listen: true`, e.g. http://127.0.0.1:41234 */
  url: string;
  close: () => Promise<void>;
}

export interface TestServerOptions {
  databaseUrl: string;
  /** Environment overrides, as strings, exactly as a deployment would set them. */
  env?: Record<string, string>;
  listen?: boolean;
  logger?: Logger;
}

/**
 * Inside Vitest, each server gets a Redis key prefix of its own under the run's prefix, which
 * the global setup deletes afterwards. Outside (the benchmark), the caller's env decides.
 */
async function testRunRedis(): Promise<Record<string, string>> {
  if (!process.env.VITEST) return {};
  const { inject } = await import("vitest");
  return {
    REDIS_URL: inject("redisUrl"),
    REDIS_KEY_PREFIX: `${inject("redisKeyPrefix")}${randomBytes(4).toString("hex")}:`,
  };
}

/**
 * Generous limits so suites that are not about rate limiting are not throttled by their own
 * traffic; rate-limit tests pass the real values in `env`.
 */
const TEST_LIMITS = {
  RATE_LIMIT_GLOBAL_MAX: "100000",
  RATE_LIMIT_AUTH_MAX: "100000",
  RATE_LIMIT_REFRESH_MAX: "100000",
  LOGIN_LOCKOUT_THRESHOLD: "100000",
  LOGIN_ACCOUNT_FAILURE_MAX: "100000",
};

/**
 * The real app on a test run's own database and a Redis key prefix of its own (under the
 * run's prefix, which the global setup deletes). bcrypt's cost drops to 4 so suites stay
 * fast; everything else is the production wiring.
 */
export async function startTestServer(options: TestServerOptions): Promise<TestServer> {
  const env = parseEnv(serverEnvSchema, {
    NODE_ENV: "test",
    BCRYPT_COST: "4",
    // Media of its own, never the repository's media/ folder.
    MEDIA_DIR: mkdtempSync(path.join(tmpdir(), "lifeline-media-")),
    DATABASE_URL: options.databaseUrl,
    ...(await testRunRedis()),
    ...TEST_LIMITS,
    ...options.env,
  });
  const logger = options.logger ?? silentLogger();
  const { deps, readinessChecks, close } = await createDependencies(env, logger);
  const app = await buildApp({ env, deps, logger, readinessChecks });
  let url = "";
  if (options.listen) {
    await app.listen({ host: "127.0.0.1", port: 0 });
    const address = app.server.address();
    if (address && typeof address === "object") url = `http://127.0.0.1:${address.port}`;
  } else {
    await app.ready();
  }
  return {
    app,
    deps,
    env,
    url,
    close: async () => {
      await app.close();
      await close();
    },
  };
}
