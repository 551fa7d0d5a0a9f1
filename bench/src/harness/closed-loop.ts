import { performance } from "node:perf_hooks";

import type { HttpAnswer } from "./http-client";

export interface LoopCall {
  /** null when no answer came (connection error, timeout). */
  status: number | null;
  ms: number;
  /** Milliseconds after the loop started that the call finished. */
  finishedAtMs: number;
  error?: string;
}

export interface ClosedLoopResult {
  calls: LoopCall[];
  /** From the first call's start to the last call's end (the drain included). */
  elapsedMs: number;
  /** How long new calls were started (the configured duration). */
  startWindowMs: number;
}

/**
 * `concurrency` callers, each calling again as soon as its previous call has answered, start
 * new calls for `seconds`; the calls still in flight then finish and are counted. Throughput is
 * calls ÷ (first start to last end): for a server whose work queues (bcrypt on one thread, a
 * worker pool), the drain is work done at the same rate, and cutting it off would undercount
 * calls that were mostly served. A 503 with Retry-After is honoured before that caller's next
 * call, as a well-behaved client would, so shed load is not retried in a tight loop.
 */
export async function runClosedLoop({
  concurrency,
  seconds,
  call,
}: {
  concurrency: number;
  seconds: number;
  call: (caller: number) => Promise<HttpAnswer>;
}): Promise<ClosedLoopResult> {
  const calls: LoopCall[] = [];
  const started = performance.now();
  const stopStartingAt = started + seconds * 1000;
  const sleep = (ms: number) =>
    new Promise((resolve) =>
      setTimeout(resolve, Math.max(0, Math.min(ms, stopStartingAt - performance.now()))),
    );

  await Promise.all(
    Array.from({ length: concurrency }, async (_, caller) => {
      while (performance.now() < stopStartingAt) {
        const callStarted = performance.now();
        try {
          const answer = await call(caller);
          calls.push({
            status: answer.status,
            ms: answer.ms,
            finishedAtMs: performance.now() - started,
          });
          if (answer.status === 503) await sleep(retryAfterMs(answer.headers["retry-after"]));
        } catch (error) {
          const now = performance.now();
          calls.push({
            status: null,
            ms: now - callStarted,
            finishedAtMs: now - started,
            error: String(error),
          });
          // Do not spin on a server that refuses connections.
          await sleep(100);
        }
      }
    }),
  );
  const lastFinished = Math.max(0, ...calls.map((c) => c.finishedAtMs));
  return { calls, elapsedMs: lastFinished, startWindowMs: seconds * 1000 };
}

/** Retry-After in seconds (the form our API sends); 1 s when absent or not a number. */
function retryAfterMs(header: string | undefined): number {
  const seconds = Number(header);
  return Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : 1000;
}
