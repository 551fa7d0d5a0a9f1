import type { AreaContext } from "./area";
import { measureTarget, type TargetResult, type ThroughputTarget } from "./autocannon-load";
import type { Table } from "./metrics";
import type { ServerProcess } from "./server-process";

/**
 * Loads each target with the same autocannon settings, round-robin (BENCH_ROUNDS): every round
 * loads every target once, so slow drift on a shared machine lands on all targets alike. The
 * median round per target is reported; failures are summed over all rounds.
 */
export async function measureThroughput(
  ctx: AreaContext,
  servers: Pick<ServerProcess<unknown>, "cpuTime" | "startProfile" | "stopProfile">,
  targets: ThroughputTarget[],
  token: string | null,
): Promise<TargetResult[]> {
  const { config } = ctx;
  const runs = new Map<string, TargetResult[]>();
  for (let round = 1; round <= config.rounds; round++) {
    for (const target of targets) {
      const of = config.rounds > 1 ? ` [round ${round}/${config.rounds}]` : "";
      ctx.log(`loading ${target.name}${of} (${target.url})`);
      const profile = config.cpuProfile
        ? ctx.outputPath("profiles", `${fileName(target.name)}-r${round}.cpuprofile`)
        : undefined;
      const result = await measureTarget(target, token, config, servers, profile);
      ctx.log(
        `  ${result.requestsPerSecond.toFixed(0)} req/s, ${result.non2xx} non-2xx, ${result.errors} errors`,
      );
      if (profile) ctx.log(`  profile: ${profile}`);
      runs.set(target.name, [...(runs.get(target.name) ?? []), result]);
    }
  }
  return [...runs.values()].map(combineRounds);
}

/** One result per target from several rounds: the median round's figures, failures summed. */
function combineRounds(runs: TargetResult[]): TargetResult {
  const sorted = [...runs].sort((a, b) => a.requestsPerSecond - b.requestsPerSecond);
  const median = sorted[Math.floor((sorted.length - 1) / 2)];
  if (!median) throw new Error("no runs to combine");
  const sum = (pick: (r: TargetResult) => number) => runs.reduce((total, r) => total + pick(r), 0);
  return {
    ...median,
    rounds: runs.map((r) => r.requestsPerSecond),
    non2xx: sum((r) => r.non2xx),
    errors: sum((r) => r.errors),
    timeouts: sum((r) => r.timeouts),
  };
}

/** Targets whose numbers mean nothing: they answered non-2xx or had connection errors. */
export function throughputFailures(results: TargetResult[]): string[] {
  return results
    .filter((t) => t.non2xx > 0 || t.errors > 0)
    .map((t) => `${t.name}: ${t.non2xx} non-2xx, ${t.errors} errors (${t.timeouts} timeouts)`);
}

/** The per-target detail table, req/s also as a ratio of `baseline`'s. */
export function throughputTable(results: TargetResult[], baseline: string, rounds: number): Table {
  const base = results.find((t) => t.name === baseline)?.requestsPerSecond;
  return {
    title:
      "Throughput per target (srv CPU: server process, 100% = one core; kernel: its share in " +
      "syscalls; client CPU: autocannon)",
    header: [
      "target",
      "req/s",
      `vs ${baseline}`,
      ...(rounds > 1 ? ["req/s per round"] : []),
      "p50 ms",
      "p99 ms",
      "non-2xx",
      "errors",
      "srv CPU",
      "srv µs/req",
      "kernel",
      "client CPU",
    ],
    rows: results.map((t) => [
      t.name,
      t.requestsPerSecond.toFixed(0),
      base ? (t.requestsPerSecond / base).toFixed(3) : "-",
      ...(rounds > 1 ? [t.rounds.map((r) => r.toFixed(0)).join(" ")] : []),
      t.latencyP50Ms.toFixed(2),
      t.latencyP99Ms.toFixed(2),
      String(t.non2xx),
      String(t.errors),
      `${t.serverCpuPercent.toFixed(0)}%`,
      t.serverCpuMicrosPerRequest.toFixed(0),
      `${(100 * t.serverSystemCpuShare).toFixed(0)}%`,
      `${t.clientCpuPercent.toFixed(0)}%`,
    ]),
  };
}

function fileName(targetName: string): string {
  return targetName.replace(/[^\w.-]+/g, "_").replace(/_+$/, "");
}
