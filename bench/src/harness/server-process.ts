import { fork, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";

import type { ChildMessage, CpuTime, LoopDelay, ParentRequest, StartRequest } from "./protocol";
import type { ServerSet } from "./serving";

type Reply = Extract<ChildMessage, { type: "reply" }>;
/** A request without its id: `request()` numbers them. */
type Request = ParentRequest extends infer R
  ? R extends ParentRequest
    ? Omit<R, "id">
    : never
  : never;

/** A running server child, seen from the bench process. */
export interface ServerProcess<Info> {
  /** What the server set's start returned (URLs and the like). */
  info: Info;
  /** The child's CPU time so far, worker threads included, for CPU per request. */
  cpuTime: () => Promise<CpuTime>;
  startProfile: () => Promise<void>;
  stopProfile: (file: string) => Promise<void>;
  startLoopDelay: () => Promise<void>;
  stopLoopDelay: () => Promise<LoopDelay>;
  /** Closes the child's servers and waits for it to exit; safe to call twice. */
  stop: () => Promise<void>;
}

export type StartParameters = Omit<StartRequest, "type" | "module" | "id" | "options">;

const STARTUP_TIMEOUT_MS = 60_000;

/**
 * Forks server-child.ts under tsx, has it start `set` and waits for its "ready". A child of its
 * own means its own event loop (and, on 2 cores, roughly a core of its own), apart from the
 * load generator.
 */
export async function spawnServerProcess<Options, Info>(
  set: ServerSet<Options, Info>,
  options: Options,
  parameters: StartParameters,
): Promise<ServerProcess<Info>> {
  const child = fork(fileURLToPath(new URL("./server-child.ts", import.meta.url)), [], {
    execArgv: ["--import", import.meta.resolve("tsx")],
    // The child reads the same BENCH_* settings (inherited) through readConfig().
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });

  const ready = await new Promise<Extract<ChildMessage, { type: "ready" }>>((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(new Error(`server set "${set.id}" did not start within 60 s`));
    }, STARTUP_TIMEOUT_MS);
    const fail = (error: Error) => {
      clearTimeout(timer);
      reject(error);
    };
    child.on("message", (message: ChildMessage) => {
      if (message.type === "ready") {
        clearTimeout(timer);
        resolve(message);
      } else if (message.type === "error") {
        fail(new Error(`server set "${set.id}" failed to start:\n${message.message}`));
      }
    });
    child.once("exit", (code, signal) => {
      fail(new Error(`server child exited early (code ${code}, signal ${signal})`));
    });
    child.once("error", fail);
    const start: StartRequest = {
      type: "start",
      module: set.module,
      id: set.id,
      options,
      ...parameters,
    };
    child.send(start);
  }).catch(async (error: unknown) => {
    await stopChild(child);
    throw error;
  });

  let nextId = 0;
  const request = (body: Request) =>
    new Promise<Reply>((resolve, reject) => {
      const id = ++nextId;
      const onMessage = (message: ChildMessage) => {
        if (message.type !== "reply" || message.id !== id) return;
        child.off("message", onMessage);
        if (message.error) reject(new Error(`server child: ${message.error}`));
        else resolve(message);
      };
      child.on("message", onMessage);
      if (!child.connected) reject(new Error("server child is gone"));
      else child.send({ ...body, id });
    });

  return {
    // The child built it from the same set, so it has the set's Info shape.
    info: ready.info as Info,
    cpuTime: async () => {
      const { cpu } = await request({ type: "cpu" });
      if (!cpu) throw new Error("server child sent no CPU time");
      return cpu;
    },
    startProfile: async () => {
      await request({ type: "profile-start" });
    },
    stopProfile: async (file) => {
      await request({ type: "profile-stop", file });
    },
    startLoopDelay: async () => {
      await request({ type: "loop-delay-start" });
    },
    stopLoopDelay: async () => {
      const { loopDelay } = await request({ type: "loop-delay-stop" });
      if (!loopDelay) throw new Error("server child sent no loop delay");
      return loopDelay;
    },
    stop: () => stopChild(child),
  };
}

/** SIGTERM (the child closes its servers and Prisma pool), SIGKILL if it has not gone in 10 s. */
async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
  await exited;
  clearTimeout(timer);
}
