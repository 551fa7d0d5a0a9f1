import { availableParallelism } from "node:os";

import { Piscina } from "piscina";

import { AppError } from "../errors/app-error";

export interface PasswordHasherOptions {
  /** bcrypt cost for new hashes. */
  cost: number;
  /** Worker threads; defaults to one less than the cores, so the event loop keeps one. */
  workers?: number;
  /** Tasks allowed to wait for a worker; beyond it, callers get SERVICE_UNAVAILABLE at once. */
  maxQueue?: number;
  /** Where the worker script lives (the bundled server ships its own copy beside main.js). */
  workerUrl?: URL;
}

/**
 * bcrypt off the event loop. Every hash and comparison runs in a pool of worker threads,
 * so a burst of sign-ins cannot stall other requests, health checks or Redis timeouts.
 * The queue in front of the pool is bounded: when it is full the caller is told to retry
 * (503 + Retry-After) at once, rather than waiting without end.
 */
export interface PasswordHasher {
  hash(password: string): Promise<string>;
  verify(password: string, hash: string): Promise<boolean>;
  /**
   * A hash of the configured cost to compare against when there is no real one (unknown
   * email, over-long password), so a failure costs the same time whatever its cause.
   */
  dummyHash(): Promise<string>;
  readonly workers: number;
  close(): Promise<void>;
}

export const DEFAULT_PASSWORD_QUEUE_MAX = 64;

export function defaultPasswordWorkers(): number {
  return Math.max(1, availableParallelism() - 1);
}

type Task =
  { op: "hash"; password: string; cost: number } | { op: "verify"; password: string; hash: string };

const QUEUE_FULL = /queue is at limit/i;

export function createPasswordHasher(options: PasswordHasherOptions): PasswordHasher {
  const workers = options.workers ?? defaultPasswordWorkers();
  const pool = new Piscina<Task, string | boolean>({
    filename: (options.workerUrl ?? new URL("./password-worker.js", import.meta.url)).href,
    minThreads: workers,
    maxThreads: workers,
    maxQueue: options.maxQueue ?? DEFAULT_PASSWORD_QUEUE_MAX,
    // First come, first served. piscina's default puts a task it could not hand to a busy
    // worker back at the end of the queue, so under a burst some sign-ins waited the whole
    // burst out while later ones went ahead (measured: p99 wait 9.6 s against 4.0 s).
    stricterFIFO: true,
  });
  // Averaged over recent tasks: what one more waiting task will cost, for Retry-After.
  let averageMs = 250;

  async function run(task: Task): Promise<string | boolean> {
    const started = performance.now();
    try {
      const result = await pool.run(task);
      averageMs = averageMs * 0.8 + (performance.now() - started) * 0.2;
      return result;
    } catch (error) {
      if (error instanceof Error && QUEUE_FULL.test(error.message)) {
        const waitSeconds = Math.ceil((pool.queueSize * averageMs) / workers / 1000);
        throw new AppError({
          code: "SERVICE_UNAVAILABLE",
          reason: "retry_later",
          message: "Too many sign-ins at once; try again shortly",
          retryAfterSeconds: Math.max(1, waitSeconds),
          cause: error,
        });
      }
      throw error;
    }
  }

  let dummy: Promise<string> | undefined;

  return {
    workers,
    dummyHash: () =>
      (dummy ??= (async () =>
        String(
          await run({ op: "hash", password: "lifeline-timing-equaliser", cost: options.cost }),
        ))()),
    hash: async (password) => String(await run({ op: "hash", password, cost: options.cost })),
    verify: async (password, hash) => (await run({ op: "verify", password, hash })) === true,
    close: () => pool.destroy(),
  };
}
