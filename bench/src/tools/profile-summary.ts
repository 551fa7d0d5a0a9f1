/**
 * Summarises a .cpuprofile written with BENCH_CPU_PROF=1: where the server's CPU time went,
 * by package and by function (self time). Quicker to read in a terminal than DevTools, and
 * enough to tell Fastify from tRPC from Prisma from jose.
 *
 *   pnpm --filter @lifeline/bench profile-summary bench-output/profiles/auth/auth.me-r1.cpuprofile [top=25]
 */
import { readFile } from "node:fs/promises";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** "fastify", "@prisma/client-engine-runtime", "@lifeline/core", "node:internal", "(idle)"… */
function packageOf(url: string, functionName: string): string {
  if (!url) return functionName.startsWith("(") ? functionName : "(native)";
  const inModules = /node_modules\/(?:\.pnpm\/[^/]+\/node_modules\/)?((?:@[^/]+\/)?[^/]+)/.exec(
    url,
  );
  if (inModules?.[1]) return inModules[1];
  const workspace = /\/(?:packages|apps|tooling)\/([^/]+)\//.exec(url);
  if (workspace?.[1]) return `@lifeline/${workspace[1]}`;
  if (url.includes("/bench/src/")) return "@lifeline/bench";
  if (url.startsWith("node:")) return "node (internals)";
  return url;
}

async function main(): Promise<void> {
  const [file, topArg] = process.argv.slice(2);
  if (!file)
    throw new Error("usage: pnpm --filter @lifeline/bench profile-summary <file.cpuprofile> [top]");
  const top = Number(topArg ?? 25);
  const profile = JSON.parse(await readFile(file, "utf8")) as CpuProfile;

  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const selfMicros = new Map<number, number>();
  profile.samples.forEach((id, i) => {
    selfMicros.set(id, (selfMicros.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  });

  const byPackage = new Map<string, number>();
  const byFunction = new Map<string, number>();
  let total = 0;
  let idle = 0;
  for (const [id, micros] of selfMicros) {
    const frame = byId.get(id)?.callFrame;
    if (!frame) continue;
    total += micros;
    if (frame.functionName === "(idle)") idle += micros;
    const pkg = packageOf(frame.url, frame.functionName);
    byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + micros);
    const where = frame.url
      ? `${frame.url.replace(/^.*\/node_modules\//, "")}:${frame.lineNumber + 1}`
      : "";
    const fn = `${frame.functionName || "(anonymous)"}  ${where}`;
    byFunction.set(fn, (byFunction.get(fn) ?? 0) + micros);
  }

  const busy = total - idle;
  const pct = (micros: number) => `${((100 * micros) / busy).toFixed(1).padStart(5)}%`;
  const lines = [
    `${file}: ${(total / 1e6).toFixed(1)} s sampled, ${(busy / 1e6).toFixed(1)} s busy (percentages of busy time)`,
    "",
    "by package (self time):",
    ...[...byPackage]
      .filter(([pkg]) => pkg !== "(idle)")
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([pkg, micros]) => `  ${pct(micros)}  ${pkg}`),
    "",
    "by function (self time):",
    ...[...byFunction]
      .filter(([fn]) => !fn.startsWith("(idle)"))
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([fn, micros]) => `  ${pct(micros)}  ${fn}`),
  ];
  process.stdout.write(`${lines.join("\n")}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${String(error)}\n`);
  process.exit(1);
});
