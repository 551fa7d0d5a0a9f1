import type { BenchConfig } from "./config";
import type { Metric, Table } from "./metrics";
import type { ServerProcess } from "./server-process";
import type { ServerSet } from "./serving";

/**
 * One area of the benchmark (auth, jobs, media, imports, backups): one file in scenarios/ that
 * exports a Scenario, and one line in scenarios/index.ts.
 */
export interface Scenario {
  /** What `pnpm bench <area>` takes; lower-case, no spaces. */
  area: string;
  /** One line for the report's section heading. */
  title: string;
  run: (ctx: AreaContext) => Promise<AreaOutcome>;
}

/** What the harness gives a scenario. Everything it starts is cleaned up when the area ends. */
export interface AreaContext {
  area: string;
  config: BenchConfig;
  /** Progress on stderr (stdout is the report). */
  log: (message: string) => void;
  /** The area's throwaway migrated database, created on first use, dropped at the end. */
  databaseUrl: () => Promise<string>;
  /**
   * Starts an exported server set (serving.ts) in a child process on the area's database;
   * stopped at the end of the area, or earlier with its stop().
   */
  spawnServers: <Options, Info>(
    set: ServerSet<Options, Info>,
    options: Options,
  ) => Promise<ServerProcess<Info>>;
  onCleanup: (label: string, run: () => Promise<unknown>) => void;
  /** A path under <outputDir>/<kind>/<area>/, e.g. outputPath("profiles", "auth.me-r1.cpuprofile"). */
  outputPath: (kind: string, file: string) => string;
}

export interface AreaOutcome {
  /** The headline rows: each metric against its same-run baseline and its target. */
  metrics: Metric[];
  /** Supporting tables (per-target throughput, request counts, micro-benchmarks…). */
  details: Table[];
  notes: string[];
  /**
   * Requests that failed (non-2xx where 2xx was expected, connection errors, timeouts). Any
   * entry makes the run exit 1: numbers measured on failing requests mean nothing.
   */
  failures: string[];
  /** The area's settings and raw results, for the JSON report. */
  data: Record<string, unknown>;
}
