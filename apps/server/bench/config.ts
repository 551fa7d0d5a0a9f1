import path from "node:path";

/**
 * Benchmark settings, from BENCH_* variables (turbo passes BENCH_* through). Defaults give a
 * ~2 minute run: long enough for stable numbers, short enough to run before a merge.
 */
export interface BenchConfig {
  /** Measured seconds per target (BENCH_DURATION). */
  durationSeconds: number;
  /** Unmeasured seconds per target first, so JIT, pools and caches are warm (BENCH_WARMUP). */
  warmupSeconds: number;
  /** Concurrent keep-alive connections (BENCH_CONNECTIONS). */
  connections: number;
  /** BENCH_DIAGNOSE=1 adds the targets and micro-benchmarks that split auth.me's cost. */
  diagnose: boolean;
  /** Where results.json goes, relative to apps/server (gitignored as bench-output/). */
  outputDir: string;
  /**
   * Each target is measured this many times, round-robin, and the median run is reported
   * (BENCH_ROUNDS). On a shared machine, interleaving spreads background noise over all
   * targets instead of letting it land on one and skew the ratio.
   */
  rounds: number;
  /** Only the targets with these names (BENCH_TARGETS, comma-separated); null means all. */
  only: string[] | null;
  /** BENCH_CPU_PROF=1: a V8 CPU profile of the server process per measured run. */
  cpuProfile: boolean;
  /**
   * The servers' log level (BENCH_LOG_LEVEL, default "info", as production runs), logged to
   * files under <outputDir>/server-logs, never the console. "info" includes the per-request
   * log line production writes; "error" leaves out log I/O to isolate the rest.
   */
  logLevel: "fatal" | "error" | "warn" | "info" | "debug" | "trace" | "silent";
  /**
   * The app's Redis rate limiter, on as in production (BENCH_RATE_LIMIT=0 turns it off). On,
   * its budgets are raised out of reach so it never answers 429, but every /trpc request
   * still pays its Redis round trip, as a deployed server does.
   */
  rateLimit: boolean;
}

const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;

/** The goal: auth.me at no less than half the throughput of a bare Fastify route. */
export const TARGET_RATIO = 0.5;

function positiveNumber(name: string, fallback: number, { integer }: { integer: boolean }): number {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0 || (integer && !Number.isInteger(value))) {
    throw new Error(`${name} must be a positive ${integer ? "integer" : "number"}, got "${raw}"`);
  }
  return value;
}

function logLevel(raw: string | undefined): BenchConfig["logLevel"] {
  if (!raw) return "info";
  const level = LOG_LEVELS.find((l) => l === raw);
  if (!level)
    throw new Error(`BENCH_LOG_LEVEL must be one of ${LOG_LEVELS.join(", ")}, got "${raw}"`);
  return level;
}

function flag(name: string): boolean {
  return process.env[name] === "1" || process.env[name] === "true";
}

export function readConfig(): BenchConfig {
  return {
    durationSeconds: positiveNumber("BENCH_DURATION", 8, { integer: true }),
    // 0 would skip warm-up, which only makes sense for a smoke run; allow it explicitly.
    warmupSeconds:
      process.env.BENCH_WARMUP === "0" ? 0 : positiveNumber("BENCH_WARMUP", 2, { integer: true }),
    connections: positiveNumber("BENCH_CONNECTIONS", 10, { integer: true }),
    diagnose: flag("BENCH_DIAGNOSE"),
    outputDir: process.env.BENCH_OUTPUT_DIR || "bench-output",
    rounds: positiveNumber("BENCH_ROUNDS", 1, { integer: true }),
    only: process.env.BENCH_TARGETS
      ? process.env.BENCH_TARGETS.split(",").map((name) => name.trim())
      : null,
    cpuProfile: flag("BENCH_CPU_PROF"),
    logLevel: logLevel(process.env.BENCH_LOG_LEVEL),
    rateLimit: process.env.BENCH_RATE_LIMIT !== "0" && process.env.BENCH_RATE_LIMIT !== "false",
  };
}

/** The servers' log files (error.log, combined.log), fresh each run. */
export function serverLogDir(config: BenchConfig): string {
  return path.resolve(config.outputDir, "server-logs");
}
