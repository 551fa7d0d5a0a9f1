/**
 * Messages between the bench process (load generator) and a server child. IPC rather than
 * parsing stdout, so a stray log line from a library can never break the handshake.
 */

/** What the child is to start: a server set (see serving.ts) and where it runs. */
export interface StartRequest {
  type: "start";
  /** URL of the module that exports the server set, and the set's id in it. */
  module: string;
  id: string;
  /** The set's options, as given to spawnServers (JSON). */
  options: unknown;
  databaseUrl: string;
  /** Every Redis key the child's apps write starts with this; the parent deletes them. */
  redisKeyPrefix: string;
  /** Where the apps' error.log and combined.log go. */
  logDir: string;
}

/** Requests during a run; each gets one `reply` with the same id. */
export type ParentRequest =
  | { id: number; type: "cpu" }
  | { id: number; type: "profile-start" }
  | { id: number; type: "profile-stop"; file: string }
  | { id: number; type: "loop-delay-start" }
  | { id: number; type: "loop-delay-stop" };

export type ParentMessage = StartRequest | ParentRequest;

export type ChildMessage =
  | { type: "ready"; info: unknown }
  | { type: "error"; message: string }
  | {
      type: "reply";
      id: number;
      cpu?: CpuTime;
      loopDelay?: LoopDelay;
      error?: string;
    };

/** process.cpuUsage(), in µs; worker threads included. */
export interface CpuTime {
  user: number;
  system: number;
}

/** The child's event-loop delay over a window (perf_hooks.monitorEventLoopDelay), in ms. */
export interface LoopDelay {
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}
