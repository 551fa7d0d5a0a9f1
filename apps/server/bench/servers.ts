/**
 * The serving side of the benchmark, run by run.ts as a child process so autocannon does not
 * share (and steal) the servers' event loop. Starts the real app and the bare baseline (plus
 * the diagnostic servers with BENCH_DIAGNOSE=1), reports their URLs over IPC, then serves
 * until the parent disconnects or signals. Not meant to be run by hand.
 */
import { randomBytes } from "node:crypto";

import { createLogger } from "@lifeline/logger";
import type { FastifyInstance } from "fastify";

import { startTestServer } from "../src/testing";
import { buildBareApp } from "./bare-app";
import { readConfig, serverLogDir } from "./config";
import { buildSkeletonApp } from "./skeleton-app";
import { startDiagnosticServers } from "./diagnostic-servers";
import { createProfiler } from "./profiler";
import type { ChildMessage, ParentRequest, ServedTarget } from "./protocol";
import { deleteKeysWithPrefix } from "./redis-keys";

/** Budgets no benchmark reaches: the limiter runs (and costs) as deployed, never says 429. */
const OUT_OF_REACH = "1000000000";

const closers: Array<() => Promise<unknown>> = [];
let stopping = false;

function send(message: ChildMessage): void {
  process.send?.(message);
}

async function listen(app: FastifyInstance): Promise<string> {
  await app.listen({ host: "127.0.0.1", port: 0 });
  const address = app.server.address();
  if (!address || typeof address !== "object") throw new Error("server has no TCP address");
  return `http://127.0.0.1:${address.port}`;
}

async function main(): Promise<void> {
  if (!process.send) {
    throw new Error("bench/servers.ts must be started by bench/run.ts (it talks over IPC)");
  }
  const databaseUrl = process.env.BENCH_DATABASE_URL;
  if (!databaseUrl) throw new Error("BENCH_DATABASE_URL is not set");
  const config = readConfig();

  // Errors (and, with BENCH_LOG_LEVEL=info, the request log) go to files: the console is
  // the benchmark's report.
  const logger = createLogger({
    name: "bench-server",
    level: config.logLevel,
    console: false,
    logDir: serverLogDir(config),
  });
  // A Redis key prefix of this run's own, deleted at the end: the limiter's counters must
  // neither meet a developer's nor outlive the run.
  const redisPrefix = `lifeline:bench:${randomBytes(4).toString("hex")}:`;
  const server = await startTestServer({
    databaseUrl,
    listen: true,
    logger,
    // startTestServer reads only these overrides (and its test defaults), not process.env.
    env: {
      REDIS_KEY_PREFIX: redisPrefix,
      ...(process.env.REDIS_URL ? { REDIS_URL: process.env.REDIS_URL } : {}),
      RATE_LIMIT_ENABLED: config.rateLimit ? "true" : "false",
      RATE_LIMIT_GLOBAL_MAX: OUT_OF_REACH,
      RATE_LIMIT_AUTH_MAX: OUT_OF_REACH,
      RATE_LIMIT_REFRESH_MAX: OUT_OF_REACH,
      LOGIN_LOCKOUT_THRESHOLD: OUT_OF_REACH,
    },
  });
  closers.push(() => deleteKeysWithPrefix(server.env.REDIS_URL, redisPrefix));
  closers.push(server.close);

  const bare = buildBareApp();
  const bareUrl = await listen(bare);
  closers.push(() => bare.close());

  const skeleton = await buildSkeletonApp(server.deps);
  const skeletonUrl = await listen(skeleton);
  closers.push(() => skeleton.close());

  const limiter = config.rateLimit ? "rate limit (Redis), " : "";
  const targets: ServedTarget[] = [
    { name: "bare", url: `${bareUrl}/bare`, auth: false, kind: "primary", note: "bare Fastify 5" },
    {
      name: "auth.me",
      url: `${server.url}/trpc/auth.me`,
      auth: true,
      kind: "primary",
      note: `real app: ${limiter}JWT, session lookup, tRPC`,
    },
    {
      name: "auth.me-skeleton",
      url: `${skeletonUrl}/trpc/auth.me`,
      auth: true,
      kind: "primary",
      note: "same auth.me without the edge plugins (the walking skeleton)",
    },
    {
      name: "healthz",
      url: `${server.url}/healthz`,
      auth: false,
      kind: "primary",
      note: "real app: hooks and plugins only, no dependency",
    },
  ];

  if (config.diagnose) {
    const diagnostics = await startDiagnosticServers(server, listen);
    closers.push(diagnostics.close);
    targets.push(...diagnostics.targets);
  }

  send({ type: "ready", appUrl: server.url, targets });
}

// The parent reads this process's CPU time around each measured run (server CPU per request)
// and, with BENCH_CPU_PROF=1, has it profile each measured run.
const profiler = createProfiler();
type Reply = Omit<Extract<ChildMessage, { type: "reply" }>, "type" | "id">;
async function answer(request: ParentRequest): Promise<Reply> {
  switch (request.type) {
    case "cpu": {
      const { user, system } = process.cpuUsage();
      return { cpu: { user, system } };
    }
    case "profile-start":
      await profiler.start();
      return {};
    case "profile-stop":
      await profiler.stop(request.file);
      return {};
  }
}
process.on("message", (request: ParentRequest) => {
  answer(request).then(
    (reply) => {
      send({ type: "reply", id: request.id, ...reply });
    },
    (error: unknown) => {
      send({ type: "reply", id: request.id, error: String(error) });
    },
  );
});

/** Closes everything, newest first; one failing close does not stop the others. */
async function stop(code: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  for (const close of closers.reverse()) {
    try {
      await close();
    } catch (error) {
      process.stderr.write(`servers.ts: cleanup failed: ${String(error)}\n`);
    }
  }
  process.exit(code);
}

// The IPC channel closes when the parent exits in any way, even SIGKILL: never outlive it.
process.on("disconnect", () => void stop(0));
process.on("SIGTERM", () => void stop(0));
process.on("SIGINT", () => void stop(0));

main().catch((error: unknown) => {
  send({
    type: "error",
    message: error instanceof Error ? (error.stack ?? error.message) : String(error),
  });
  void stop(1);
});
