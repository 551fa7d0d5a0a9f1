import { mkdir, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";

import { TARGET_RATIO, type BenchConfig } from "./config";
import type { TargetResult } from "./load";
import type { MicroResult } from "./micro";

export interface BenchReport {
  finishedAt: string;
  machine: {
    cpus: number;
    cpuModel: string;
    node: string;
    platform: string;
    /** 1-minute load average; `before` above the CPU count means others were competing. */
    loadAverage: { before: number; after: number };
  };
  config: BenchConfig;
  targets: TargetResult[];
  ratios: {
    authMeOverBare: number | null;
    healthzOverBare: number | null;
    /** What the edge (limits, CORS, helmet, compression, request log) leaves of auth.me. */
    authMeOverSkeleton: number | null;
  };
  goal: { ratio: "auth.me/bare"; atLeast: number; met: boolean | null };
  /** Targets that had non-2xx answers or connection errors: their numbers mean nothing. */
  failures: string[];
  micro?: MicroResult[];
}

export function buildReport(
  config: BenchConfig,
  targets: TargetResult[],
  loadBefore: number,
  micro?: MicroResult[],
): BenchReport {
  const rps = (name: string) => targets.find((t) => t.name === name)?.requestsPerSecond;
  const ratio = (name: string, base = "bare") => {
    const baseline = rps(base);
    const other = rps(name);
    return baseline && other !== undefined ? other / baseline : null;
  };
  const authMeOverBare = ratio("auth.me");
  const cpus = os.cpus();
  return {
    finishedAt: new Date().toISOString(),
    machine: {
      cpus: cpus.length,
      cpuModel: cpus[0]?.model ?? "unknown",
      node: process.version,
      platform: process.platform,
      loadAverage: { before: loadBefore, after: os.loadavg()[0] ?? 0 },
    },
    config,
    targets,
    ratios: {
      authMeOverBare,
      healthzOverBare: ratio("healthz"),
      authMeOverSkeleton: ratio("auth.me", "auth.me-skeleton"),
    },
    goal: {
      ratio: "auth.me/bare",
      atLeast: TARGET_RATIO,
      met: authMeOverBare === null ? null : authMeOverBare >= TARGET_RATIO,
    },
    failures: targets
      .filter((t) => t.non2xx > 0 || t.errors > 0)
      .map((t) => `${t.name}: ${t.non2xx} non-2xx, ${t.errors} errors (${t.timeouts} timeouts)`),
    ...(micro ? { micro } : {}),
  };
}

export function printReport(report: BenchReport): void {
  const { config } = report;
  const bare = report.targets.find((t) => t.name === "bare")?.requestsPerSecond;
  const out: string[] = [];
  out.push(
    "",
    `${config.connections} connections, ${config.warmupSeconds} s warm-up + ${config.durationSeconds} s ` +
      `measured per target, ${config.rounds} round(s) (median shown); server log level ${config.logLevel}`,
    `${report.machine.cpus} CPUs (${report.machine.cpuModel}), Node ${report.machine.node}; ` +
      "srv CPU = server process (100% = one core), kernel = its share in syscalls, client CPU = autocannon",
  );
  // Only the load before the run says something: during it, the benchmark is the load.
  const { before } = report.machine.loadAverage;
  if (before > report.machine.cpus) {
    out.push(
      `WARNING: load average ${before.toFixed(1)} on ${report.machine.cpus} CPUs before the run: ` +
        "other work was competing; trust ratios over absolute req/s, and rerun when idle.",
    );
  }
  if (config.cpuProfile) {
    out.push(
      "NOTE: BENCH_CPU_PROF=1 — the profiler slows the server; use these numbers for shape only.",
    );
  }
  out.push("");
  const header = [
    "target",
    "req/s",
    "vs bare",
    "p50 ms",
    "p99 ms",
    "non-2xx",
    "errors",
    "srv CPU",
    "srv µs/req",
    "kernel",
    "client CPU",
  ];
  const rows = report.targets.map((t) => [
    t.name,
    t.requestsPerSecond.toFixed(0),
    bare ? (t.requestsPerSecond / bare).toFixed(3) : "-",
    t.latencyP50Ms.toFixed(2),
    t.latencyP99Ms.toFixed(2),
    String(t.non2xx),
    String(t.errors),
    `${t.serverCpuPercent.toFixed(0)}%`,
    t.serverCpuMicrosPerRequest.toFixed(0),
    `${(100 * t.serverSystemCpuShare).toFixed(0)}%`,
    `${t.clientCpuPercent.toFixed(0)}%`,
  ]);
  out.push(...table(header, rows), "");
  if (config.rounds > 1) {
    out.push(
      "req/s per round:",
      ...report.targets.map(
        (t) => `  ${t.name.padEnd(26)} ${t.rounds.map((r) => r.toFixed(0)).join("  ")}`,
      ),
      "",
    );
  }

  const diagnostics = report.targets.filter((t) => t.kind === "diagnostic");
  if (diagnostics.length) {
    out.push(
      "diagnostic targets:",
      ...diagnostics.map((t) => `  ${t.name.padEnd(26)} ${t.note}`),
      "",
    );
  }
  if (report.micro?.length) {
    out.push("in-process micro-benchmarks (no HTTP; CPU is this process only, Postgres excluded):");
    out.push(
      ...table(
        ["operation", "in flight", "ops/s", "wall µs/op", "CPU µs/op"],
        report.micro.map((m) => [
          m.name,
          String(m.concurrency),
          m.opsPerSecond.toFixed(0),
          m.wallMicrosPerOp.toFixed(1),
          m.cpuMicrosPerOp.toFixed(1),
        ]),
      ),
      "",
    );
  }

  const fmt = (r: number | null) => (r === null ? "n/a" : r.toFixed(3));
  out.push(
    `auth.me/bare = ${fmt(report.ratios.authMeOverBare)}   healthz/bare = ${fmt(report.ratios.healthzOverBare)}   ` +
      `auth.me/auth.me-skeleton (cost of the edge) = ${fmt(report.ratios.authMeOverSkeleton)}`,
  );
  const met = report.goal.met === null ? "unknown" : report.goal.met ? "MET" : "NOT met";
  out.push(`goal auth.me/bare ≥ ${report.goal.atLeast}: ${met} (reported, not enforced)`);
  if (report.failures.length)
    out.push(
      "",
      "FAILED — these targets did not answer 2xx cleanly:",
      ...report.failures.map((f) => `  ${f}`),
    );
  process.stdout.write(`${out.join("\n")}\n`);
}

export async function writeReport(report: BenchReport): Promise<string> {
  const file = path.resolve(report.config.outputDir, "results.json");
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, `${JSON.stringify(report, null, 2)}\n`);
  return file;
}

function table(header: string[], rows: string[][]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  // First column left-aligned (names), numbers right-aligned.
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0)))
      .join("  ");
  return [line(header), widths.map((w) => "-".repeat(w)).join("  "), ...rows.map(line)];
}
