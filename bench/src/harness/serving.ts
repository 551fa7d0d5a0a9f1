import type { Logger } from "@lifeline/logger";
import type { TestServer } from "@lifeline/server/testing";
import type { FastifyInstance } from "fastify";

import type { BenchConfig } from "./config";

/**
 * What a server set's `start` gets in the child process: the real app on the area's database
 * (Redis keys under the run's prefix, logs to files) and a way to serve any other Fastify app.
 * Everything started through it is closed when the child stops.
 */
export interface ServeContext {
  config: BenchConfig;
  logger: Logger;
  databaseUrl: string;
  /**
   * The real app through startTestServer, listening on 127.0.0.1. `env` overrides are strings,
   * as a deployment sets them (e.g. { BCRYPT_COST: "12" }); the bench's own Redis key prefix
   * and REDIS_URL are added.
   */
  startApp: (env?: Record<string, string>) => Promise<TestServer>;
  /** Listens on a free 127.0.0.1 port and returns the base URL; closed with the child. */
  listen: (app: FastifyInstance) => Promise<string>;
  /** Something else to close when the child stops (newest first). */
  onClose: (close: () => Promise<unknown>) => void;
}

/**
 * The servers one measurement needs, started in a child process so the load generator does
 * not share (and steal) their event loop. Declared in a scenario file with defineServers and
 * EXPORTED from it: the child imports that module and finds the set by id. `Options` and
 * `Info` cross the process boundary as JSON.
 */
export interface ServerSet<Options, Info> {
  readonly kind: "lifeline-bench-server-set";
  readonly module: string;
  readonly id: string;
  readonly start: (serve: ServeContext, options: Options) => Promise<Info>;
}

export function defineServers<Options, Info>(
  module: string,
  id: string,
  start: (serve: ServeContext, options: Options) => Promise<Info>,
): ServerSet<Options, Info> {
  return { kind: "lifeline-bench-server-set", module, id, start };
}

export function isServerSet(value: unknown): value is ServerSet<unknown, unknown> {
  return (
    typeof value === "object" &&
    value !== null &&
    (value as { kind?: unknown }).kind === "lifeline-bench-server-set"
  );
}
