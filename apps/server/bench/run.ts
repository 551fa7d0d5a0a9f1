/**
 * `pnpm bench`: requests/second of the real app against a bare Fastify baseline, measured in
 * the same run on the same machine so the ratio (not the absolute number) is what matters.
 *
 *   1. a throwaway, migrated database (dropped at the end, also on failure or Ctrl-C);
 *   2. the servers in a child process (servers.ts), so autocannon here does not compete for
 *      their event loop;
 *   3. a real user signed in over HTTP, for a valid bearer token;
 *   4. each target loaded in turn with the same autocannon settings (load.ts);
 *   5. a table on stdout and bench-output/results.json.
 *
 * Exits 1 if any target answered non-2xx or had connection errors: a benchmark of 401s is
 * worthless. The auth.me/bare goal is reported, never enforced (machines differ too much).
 * Settings (BENCH_DURATION, BENCH_WARMUP, BENCH_CONNECTIONS, BENCH_ROUNDS, BENCH_TARGETS,
 * BENCH_DIAGNOSE, BENCH_CPU_PROF, BENCH_LOG_LEVEL): see config.ts.
 */
import { rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";

import { createTestDatabase } from "@lifeline/db/testing";

import { installSignalHandlers, onCleanup, runCleanups } from "./cleanup";
import { readConfig, serverLogDir, type BenchConfig } from "./config";
import { combineRounds, measure, type TargetResult } from "./load";
import { runMicroBenchmarks, type MicroResult } from "./micro";
import { buildReport, printReport, writeReport } from "./report";
import { signIn } from "./session";
import { spawnServers, type ServerProcess } from "./spawn-servers";

function log(message: string): void {
  process.stderr.write(`[bench] ${message}\n`);
}

async function main(config: BenchConfig): Promise<number> {
  installSignalHandlers();
  const loadBefore = os.loadavg()[0] ?? 0;

  log("creating a throwaway database");
  const database = await createTestDatabase("bench");
  onCleanup("drop database", async () => {
    await database.drop();
    log("dropped the bench database");
  });

  log("starting servers (child process)");
  // Fresh each run, so error.log holds this run's server errors only.
  await rm(serverLogDir(config), { recursive: true, force: true });
  const servers = await spawnServers(database.url);
  // Registered after the database, so it runs first: the child's pool closes before the drop.
  onCleanup("stop servers", servers.stop);

  const token = await signIn(servers.appUrl);
  log("signed in a bench user; auth.me answers 200");

  const results = await loadTargets(config, servers, token);

  let micro: MicroResult[] | undefined;
  if (config.diagnose) {
    log("in-process micro-benchmarks");
    micro = await runMicroBenchmarks(database.url, token);
  }

  const report = buildReport(config, results, loadBefore, micro);
  printReport(report);
  log(`wrote ${await writeReport(report)}`);
  return report.failures.length > 0 ? 1 : 0;
}

/**
 * Round-robin: every round loads every target once, so slow drift on a shared machine lands
 * on all targets alike; the median round per target is reported.
 */
async function loadTargets(
  config: BenchConfig,
  servers: ServerProcess,
  token: string,
): Promise<TargetResult[]> {
  const targets = config.only
    ? servers.targets.filter((t) => config.only?.includes(t.name))
    : servers.targets;
  if (targets.length === 0) {
    const names = servers.targets.map((t) => t.name).join(", ");
    throw new Error(`BENCH_TARGETS matched none of: ${names}`);
  }
  const runs = new Map<string, TargetResult[]>();
  for (let round = 1; round <= config.rounds; round++) {
    for (const target of targets) {
      const of = config.rounds > 1 ? ` [round ${round}/${config.rounds}]` : "";
      log(`loading ${target.name}${of} (${target.url})`);
      const profile = config.cpuProfile
        ? path.resolve(
            config.outputDir,
            "profiles",
            `${fileName(target.name)}-r${round}.cpuprofile`,
          )
        : undefined;
      const result = await measure(target, token, config, servers, profile);
      log(
        `  ${result.requestsPerSecond.toFixed(0)} req/s, ${result.non2xx} non-2xx, ${result.errors} errors`,
      );
      if (profile) log(`  profile: ${profile}`);
      runs.set(target.name, [...(runs.get(target.name) ?? []), result]);
    }
  }
  return [...runs.values()].map(combineRounds);
}

function fileName(targetName: string): string {
  return targetName.replace(/[^\w.-]+/g, "_").replace(/_+$/, "");
}

let config: BenchConfig;
try {
  config = readConfig();
} catch (error) {
  log(String(error instanceof Error ? error.message : error));
  process.exit(1);
}

void main(config)
  .catch((error: unknown) => {
    log(`failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    return 1;
  })
  .then(async (code) => {
    if (code !== 0)
      log(`server-side errors, if any: ${path.join(serverLogDir(config), "error.log")}`);
    await runCleanups();
    process.exit(code);
  });
