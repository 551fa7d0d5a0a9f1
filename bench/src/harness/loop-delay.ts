import { monitorEventLoopDelay, type IntervalHistogram } from "node:perf_hooks";

import type { LoopDelay } from "./protocol";

/** Fine enough for the delays that matter to a request (tens of ms), cheap to sample. */
const RESOLUTION_MS = 10;

/**
 * The server child's event-loop delay over one measured window: how long a ready callback
 * waited for the loop. Tells "the loop was blocked" (bcrypt on the main thread) apart from
 * "requests queued elsewhere" (a pool, Postgres) when a client sees high latency.
 */
export function createLoopDelayMonitor(): { start: () => void; stop: () => LoopDelay } {
  let histogram: IntervalHistogram | null = null;
  return {
    start() {
      histogram?.disable();
      histogram = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
      histogram.enable();
    },
    stop() {
      if (!histogram) throw new Error("loop-delay monitor was not started");
      histogram.disable();
      // The histogram records whole timer intervals: the delay is what exceeds the resolution.
      const ms = (ns: number) => Math.max(0, ns / 1e6 - RESOLUTION_MS);
      const result = {
        p50Ms: ms(histogram.percentile(50)),
        p99Ms: ms(histogram.percentile(99)),
        maxMs: ms(histogram.max),
      };
      histogram = null;
      return result;
    },
  };
}
