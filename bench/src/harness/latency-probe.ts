import { performance } from "node:perf_hooks";

import type { HttpAnswer } from "./http-client";
import { percentile } from "./stats";

export interface ProbeResult {
  /** Latency of every 2xx answer, in ms, in the order they came. */
  samplesMs: number[];
  /** Non-2xx answers by status. */
  non2xx: Record<string, number>;
  /** Requests that got no answer (connection error, timeout), with the first message. */
  errors: number;
  firstError: string | null;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));

/**
 * Calls `call` one request at a time until stopped, starting one at most every `intervalMs`:
 * one user clicking around while something else loads the server. One in flight, so each
 * sample is the latency of a single request, not of a queue the probe built itself; paced, so
 * on a small machine the probe does not become a load of its own that steals the CPU the
 * measured work needs. A request slower than the interval is followed at once by the next.
 */
export function startLatencyProbe(
  call: () => Promise<HttpAnswer>,
  { intervalMs }: { intervalMs: number },
): { stop: () => Promise<ProbeResult> } {
  const result: ProbeResult = { samplesMs: [], non2xx: {}, errors: 0, firstError: null };
  // An object, not a let: the loop must re-read it after every await.
  const state = { running: true };
  const loop = (async () => {
    while (state.running) {
      const started = performance.now();
      try {
        const answer = await call();
        if (answer.status >= 200 && answer.status < 300) result.samplesMs.push(answer.ms);
        else result.non2xx[answer.status] = (result.non2xx[answer.status] ?? 0) + 1;
      } catch (error) {
        result.errors++;
        result.firstError ??= String(error);
      }
      await sleep(started + intervalMs - performance.now());
    }
  })();
  return {
    stop: async () => {
      state.running = false;
      await loop;
      return result;
    },
  };
}

/** Probes for `seconds`, after `warmup` unrecorded calls (JIT, connection, caches). */
export async function probeFor(
  seconds: number,
  call: () => Promise<HttpAnswer>,
  { intervalMs, warmup = 200 }: { intervalMs: number; warmup?: number },
): Promise<ProbeResult> {
  for (let i = 0; i < warmup; i++) await call().catch(() => undefined);
  const probe = startLatencyProbe(call, { intervalMs });
  await sleep(seconds * 1000);
  return probe.stop();
}

/** A probe's figures without its raw samples, for the JSON report. */
export function summariseProbe(probe: ProbeResult) {
  return {
    samples: probe.samplesMs.length,
    p50Ms: percentile(probe.samplesMs, 50),
    p99Ms: percentile(probe.samplesMs, 99),
    maxMs: probe.samplesMs.length ? Math.max(...probe.samplesMs) : null,
    non2xx: probe.non2xx,
    errors: probe.errors,
    firstError: probe.firstError,
  };
}
