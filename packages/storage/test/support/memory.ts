import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

/**
 * A full garbage collection on demand, without starting the test process with --expose-gc.
 * V8 collects buffers only when their total passes a soft limit (64 MB), so without it
 * garbage alone moves RSS by tens of megabytes and a memory assertion measures the collector.
 */
export function exposeGc(): () => void {
  setFlagsFromString("--expose-gc");
  return runInNewContext("gc") as () => void;
}
