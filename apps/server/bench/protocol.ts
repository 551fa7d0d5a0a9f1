/**
 * Messages between run.ts (load generator) and servers.ts (the child that serves). IPC rather
 * than parsing stdout, so a stray log line from a library can never break the handshake.
 */

/** One URL to load, with what it needs; `kind` says which group it belongs to in the report. */
export interface ServedTarget {
  name: string;
  url: string;
  /** Sends the user's access token as a bearer header. */
  auth: boolean;
  kind: "primary" | "diagnostic";
  /** One line on what this target isolates, printed under the table. */
  note: string;
}

/** Requests from the parent; each gets one `reply` with the same id. */
export type ParentRequest =
  | { id: number; type: "cpu" }
  | { id: number; type: "profile-start" }
  | { id: number; type: "profile-stop"; file: string };

export type ChildMessage =
  | { type: "ready"; appUrl: string; targets: ServedTarget[] }
  | { type: "error"; message: string }
  /** `cpu`: the child's CPU time so far (for "cpu"); `error` if the request failed. */
  | { type: "reply"; id: number; cpu?: CpuTime; error?: string };

/** process.cpuUsage(), in µs. */
export interface CpuTime {
  user: number;
  system: number;
}
