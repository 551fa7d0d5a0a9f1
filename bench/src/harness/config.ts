import path from "node:path";
import { fileURLToPath } from "node:url";

import { flagSetting, intSetting, listSetting, oneOfSetting, stringSetting } from "./env-settings";

/**
 * Settings every area shares, from BENCH_* variables (turbo passes BENCH_* through). Each
 * scenario reads its own extra settings (BENCH_LOGIN_* for auth) the same way. Defaults keep
 * a run quick: one round of 2 s warm-up + 8 s measured per throughput target.
 */
export interface BenchConfig {
  /** Measured seconds per throughput target (BENCH_DURATION). */
  durationSeconds: number;
  /** Unmeasured seconds per target first, so JIT, pools and caches are warm (BENCH_WARMUP, 0 = none). */
  warmupSeconds: number;
  /** Concurrent keep-alive connections of each throughput load (BENCH_CONNECTIONS). */
  connections: number;
  /**
   * Each throughput target is measured this many times, round-robin, and the median run is
   * reported (BENCH_ROUNDS). On a shared machine, interleaving spreads background noise over
   * all targets instead of letting it land on one and skew a ratio.
   */
  rounds: number;
  /** Only the measurements with these names (BENCH_TARGETS, comma-separated); null = all. */
  only: string[] | null;
  /** BENCH_DIAGNOSE=1: extra targets and micro-benchmarks that split a cost into its parts. */
  diagnose: boolean;
  /** BENCH_CPU_PROF=1: a V8 CPU profile of the server process per measured run. */
  cpuProfile: boolean;
  /**
   * The servers' log level (BENCH_LOG_LEVEL, default "info" as production runs), written to
   * files under <outputDir>/server-logs/<area>, never the console. "error" leaves out the
   * per-request line, to isolate the rest.
   */
  logLevel: (typeof LOG_LEVELS)[number];
  /**
   * The app's Redis rate limiter in throughput measurements, on as in production
   * (BENCH_RATE_LIMIT=0 turns it off). On, its budgets are out of reach so it never answers
   * 429, but every request still pays its Redis round trip, as a deployed server does.
   */
  rateLimit: boolean;
  /** Absolute path of the report, logs and profiles (BENCH_OUTPUT_DIR, relative to bench/). */
  outputDir: string;
}

const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;

/** This package's directory, whatever the caller's cwd (pnpm, turbo or tsx by hand). */
export const PACKAGE_DIR = fileURLToPath(new URL("../..", import.meta.url));

export function readConfig(): BenchConfig {
  return {
    durationSeconds: intSetting("BENCH_DURATION", 8),
    warmupSeconds: intSetting("BENCH_WARMUP", 2, { min: 0 }),
    connections: intSetting("BENCH_CONNECTIONS", 10),
    rounds: intSetting("BENCH_ROUNDS", 1),
    only: listSetting("BENCH_TARGETS"),
    diagnose: flagSetting("BENCH_DIAGNOSE", false),
    cpuProfile: flagSetting("BENCH_CPU_PROF", false),
    logLevel: oneOfSetting("BENCH_LOG_LEVEL", LOG_LEVELS, "info"),
    rateLimit: flagSetting("BENCH_RATE_LIMIT", true),
    outputDir: path.resolve(PACKAGE_DIR, stringSetting("BENCH_OUTPUT_DIR") ?? "bench-output"),
  };
}

/** Whether BENCH_TARGETS lets the measurement called `name` run. */
export function selected(config: BenchConfig, name: string): boolean {
  return config.only === null || config.only.includes(name);
}
