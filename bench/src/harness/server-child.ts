/**
 * The serving side of a measurement, forked by server-process.ts: waits for a "start" message,
 * imports the scenario module it names, starts that server set, reports "ready" with the set's
 * info, then answers CPU / profile / loop-delay requests until the parent disconnects or
 * signals. Not meant to be run by hand.
 */
import { createLogger } from "@lifeline/logger";
import { startTestServer } from "@lifeline/server/testing";
import type { FastifyInstance } from "fastify";

import { readConfig } from "./config";
import { createLoopDelayMonitor } from "./loop-delay";
import { createProfiler } from "./profiler";
import type { ChildMessage, ParentMessage, ParentRequest, StartRequest } from "./protocol";
import { isServerSet, type ServeContext } from "./serving";

const closers: Array<() => Promise<unknown>> = [];
let stopping = false;

function send(message: ChildMessage): void {
  process.send?.(message);
}

async function listen(app: FastifyInstance): Promise<string> {
  closers.push(() => app.close());
  await app.listen({ host: "127.0.0.1", port: 0 });
  const address = app.server.address();
  if (!address || typeof address !== "object") throw new Error("server has no TCP address");
  return `http://127.0.0.1:${address.port}`;
}

async function start(request: StartRequest): Promise<void> {
  const config = readConfig();
  // Errors (and at "info" the request log) go to files: the console is the benchmark's report.
  const logger = createLogger({
    name: "bench-server",
    level: config.logLevel,
    console: false,
    logDir: request.logDir,
  });
  let apps = 0;
  const serve: ServeContext = {
    config,
    logger,
    databaseUrl: request.databaseUrl,
    startApp: async (env = {}) => {
      const server = await startTestServer({
        databaseUrl: request.databaseUrl,
        listen: true,
        logger,
        // startTestServer reads only these overrides (and its test defaults), not process.env.
        env: {
          REDIS_KEY_PREFIX: `${request.redisKeyPrefix}${++apps}:`,
          ...(process.env.REDIS_URL ? { REDIS_URL: process.env.REDIS_URL } : {}),
          ...env,
        },
      });
      closers.push(server.close);
      return server;
    },
    listen,
    onClose: (close) => closers.push(close),
  };

  const module: Record<string, unknown> = await import(request.module);
  const set = Object.values(module).find((value) => isServerSet(value) && value.id === request.id);
  if (!set || !isServerSet(set)) {
    throw new Error(`${request.module} exports no server set "${request.id}" (is it exported?)`);
  }
  send({ type: "ready", info: await set.start(serve, request.options) });
}

// The parent reads this process's CPU time around each measured run (server CPU per request)
// and can have it profile a run or watch its event loop.
const profiler = createProfiler();
const loopDelay = createLoopDelayMonitor();
type Reply = Omit<Extract<ChildMessage, { type: "reply" }>, "type" | "id">;
async function answer(request: ParentRequest): Promise<Reply> {
  switch (request.type) {
    case "cpu":
      return { cpu: process.cpuUsage() };
    case "profile-start":
      await profiler.start();
      return {};
    case "profile-stop":
      await profiler.stop(request.file);
      return {};
    case "loop-delay-start":
      loopDelay.start();
      return {};
    case "loop-delay-stop":
      return { loopDelay: loopDelay.stop() };
  }
}

function fail(error: unknown): void {
  send({
    type: "error",
    message: error instanceof Error ? (error.stack ?? error.message) : String(error),
  });
  void stop(1);
}

process.on("message", (message: ParentMessage) => {
  if (message.type === "start") {
    start(message).catch(fail);
    return;
  }
  answer(message).then(
    (reply) => {
      send({ type: "reply", id: message.id, ...reply });
    },
    (error: unknown) => {
      send({ type: "reply", id: message.id, error: String(error) });
    },
  );
});

/** Closes everything, newest first; one failing close does not stop the others. */
async function stop(code: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  for (let close = closers.pop(); close; close = closers.pop()) {
    try {
      await close();
    } catch (error) {
      process.stderr.write(`[bench] server child: cleanup failed: ${String(error)}\n`);
    }
  }
  process.exit(code);
}

if (!process.send) {
  process.stderr.write("server-child.ts is started by the bench harness (it talks over IPC)\n");
  process.exit(1);
}
// The IPC channel closes when the parent exits in any way, even SIGKILL: never outlive it.
process.on("disconnect", () => void stop(0));
process.on("SIGTERM", () => void stop(0));
process.on("SIGINT", () => void stop(0));
