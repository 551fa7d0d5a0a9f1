/**
 * `pnpm bench [area ...]`: every area (or the named ones) in one run, one report. Each area
 * measures its subject against a baseline from the same run, so ratios, not absolute numbers,
 * are what carry from machine to machine. The report goes to stdout and to
 * bench-output/report.md + report.json; progress goes to stderr.
 *
 * Exit code 1 when any area had failed requests or could not finish; targets are reported,
 * never enforced. Settings (BENCH_*): see harness/config.ts and each scenario.
 */
import { performance } from "node:perf_hooks";

import { installSignalHandlers, runRootCleanups } from "./harness/cleanup";
import { readConfig, type BenchConfig } from "./harness/config";
import { createAreaContext } from "./harness/area-context";
import type { Scenario } from "./harness/area";
import { log } from "./harness/log";
import { describeMachine, loadAverage, loadWarning } from "./harness/machine";
import { renderMarkdown } from "./harness/markdown";
import { areaFailed, type AreaResult, type RunReport } from "./harness/report";
import { writeReport } from "./harness/write-report";
import { scenarios } from "./scenarios";

/** A mistake on the command line: exit 2, not the 1 of a failed benchmark. */
class UsageError extends Error {}

const USAGE = `usage: pnpm bench [area ...]   (areas: ${scenarios.map((s) => s.area).join(", ")}; none = all)`;

/** The areas named on the command line, in registry order; all of them when none is named. */
function chooseAreas(args: string[]): Scenario[] {
  // pnpm and turbo may pass a literal "--" through ahead of the arguments.
  const names = args.filter((arg) => arg !== "--");
  if (names.length === 0) return [...scenarios];
  const unknown = names.filter((name) => !scenarios.some((s) => s.area === name));
  if (unknown.length) {
    throw new UsageError(
      `unknown area${unknown.length > 1 ? "s" : ""}: ${unknown.join(", ")}. Known areas: ` +
        `${scenarios.map((s) => s.area).join(", ")}.\n${USAGE}`,
    );
  }
  return scenarios.filter((s) => names.includes(s.area));
}

async function runArea(scenario: Scenario, config: BenchConfig): Promise<AreaResult> {
  log(`== ${scenario.area}: ${scenario.title}`);
  const started = performance.now();
  const { ctx, finish } = await createAreaContext(scenario.area, config);
  const base = { area: scenario.area, title: scenario.title };
  let result: Omit<AreaResult, "seconds">;
  try {
    result = { ...base, ...(await scenario.run(ctx)) };
  } catch (error) {
    const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
    log(`${scenario.area} failed: ${message}`);
    result = {
      ...base,
      metrics: [],
      details: [],
      notes: [],
      failures: [],
      data: {},
      error: message,
    };
  } finally {
    await finish();
  }
  return { ...result, seconds: (performance.now() - started) / 1000 };
}

async function main(args: string[]): Promise<number> {
  if (args.includes("-h") || args.includes("--help")) {
    process.stdout.write(`${USAGE}\nSettings: bench/README.md\n`);
    return 0;
  }
  const areas = chooseAreas(args);
  const config = readConfig();
  installSignalHandlers();
  const loadBefore = loadAverage();
  const startedAt = new Date();
  const started = performance.now();

  const results: AreaResult[] = [];
  for (const scenario of areas) results.push(await runArea(scenario, config));

  const machine = describeMachine(loadBefore);
  const warning = loadWarning(machine);
  const report: RunReport = {
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    seconds: (performance.now() - started) / 1000,
    machine,
    warnings: [
      ...(warning ? [warning] : []),
      ...(config.cpuProfile
        ? ["BENCH_CPU_PROF=1: the profiler slows the server; use these numbers for shape only"]
        : []),
    ],
    config,
    areas: results,
    failed: results.some(areaFailed),
  };
  const markdown = renderMarkdown(report);
  process.stdout.write(`\n${markdown}`);
  const files = await writeReport(report, markdown);
  log(`wrote ${files.markdown} and ${files.json}`);
  if (report.failed)
    log(`server-side errors, if any: ${config.outputDir}/server-logs/<area>/error.log`);
  return report.failed ? 1 : 0;
}

void main(process.argv.slice(2))
  .catch((error: unknown) => {
    log(error instanceof Error ? error.message : String(error));
    return error instanceof UsageError ? 2 : 1;
  })
  .then(async (code) => {
    await runRootCleanups();
    process.exit(code);
  });
