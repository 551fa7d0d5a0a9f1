import { fork, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";

import type { ChildMessage, CpuTime, ParentRequest, ServedTarget } from "./protocol";

type Reply = Extract<ChildMessage, { type: "reply" }>;
/** A request without its id: `request()` numbers them. */
type Request = ParentRequest extends infer R
  ? R extends ParentRequest
    ? Omit<R, "id">
    : never
  : never;

export interface ServerProcess {
  appUrl: string;
  targets: ServedTarget[];
  /** The child's CPU time so far, for CPU per request. */
  cpuTime: () => Promise<CpuTime>;
  startProfile: () => Promise<void>;
  stopProfile: (file: string) => Promise<void>;
  stop: () => Promise<void>;
}

const STARTUP_TIMEOUT_MS = 60_000;

/**
 * Forks servers.ts under tsx and waits for its "ready" message. A child of its own means its
 * own event loop (and, on 2 cores, roughly a core of its own), apart from the load generator.
 */
export async function spawnServers(databaseUrl: string): Promise<ServerProcess> {
  const child = fork(fileURLToPath(new URL("./servers.ts", import.meta.url)), [], {
    execArgv: ["--import", import.meta.resolve("tsx")],
    // The child reads the same BENCH_* settings (inherited) through readConfig().
    env: { ...process.env, BENCH_DATABASE_URL: databaseUrl },
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });

  const ready = await new Promise<Extract<ChildMessage, { type: "ready" }>>((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(new Error("servers.ts did not start within 60 s"));
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
        fail(new Error(`servers.ts failed to start:\n${message.message}`));
      }
    });
    child.once("exit", (code, signal) => {
      fail(new Error(`servers.ts exited early (code ${code}, signal ${signal})`));
    });
    child.once("error", fail);
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
        if (message.error) reject(new Error(`servers.ts: ${message.error}`));
        else resolve(message);
      };
      child.on("message", onMessage);
      if (!child.connected) reject(new Error("servers.ts is gone"));
      else child.send({ ...body, id });
    });

  return {
    appUrl: ready.appUrl,
    targets: ready.targets,
    cpuTime: async () => {
      const { cpu } = await request({ type: "cpu" });
      if (!cpu) throw new Error("servers.ts sent no CPU time");
      return cpu;
    },
    startProfile: async () => {
      await request({ type: "profile-start" });
    },
    stopProfile: async (file) => {
      await request({ type: "profile-stop", file });
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
