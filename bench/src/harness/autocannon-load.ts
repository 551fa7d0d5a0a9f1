import autocannon from "autocannon";

import type { BenchConfig } from "./config";
import type { ServerProcess } from "./server-process";

/** One URL to load with autocannon, as a server set describes it. */
export interface ThroughputTarget {
  name: string;
  url: string;
  /** Send the access token as a bearer header. */
  auth: boolean;
  /** Diagnostic targets (BENCH_DIAGNOSE=1) are listed apart in the report. */
  kind: "primary" | "diagnostic";
  /** One line on what this target isolates. */
  note: string;
}

export interface TargetResult {
  name: string;
  kind: ThroughputTarget["kind"];
  url: string;
  note: string;
  /** Mean of autocannon's per-second samples over the measured window (median round). */
  requestsPerSecond: number;
  /** req/s of every round, in the order they ran. */
  rounds: number[];
  requests: number;
  latencyP50Ms: number;
  latencyP99Ms: number;
  /** Summed over all rounds: any non-2xx anywhere invalidates the target. */
  non2xx: number;
  /** Connection errors, timeouts included; summed over all rounds. */
  errors: number;
  timeouts: number;
  /** Server process CPU over the window: 100 = one core busy the whole time. */
  serverCpuPercent: number;
  /** Server CPU per completed request, in µs: the cost that does not depend on the load generator. */
  serverCpuMicrosPerRequest: number;
  /** How much of that CPU was kernel time (syscalls, loopback TCP): 0..1. */
  serverSystemCpuShare: number;
  /** This (autocannon) process's CPU over the window; near 100 means the client may be the limit. */
  clientCpuPercent: number;
}

/**
 * Loads one target: a warm-up whose numbers are discarded, then the measured run. Every target
 * goes through this same function, with the same connections and durations, so the ratios
 * compare like with like. `profileFile`: CPU-profile the server over the measured run.
 */
export async function measureTarget(
  target: ThroughputTarget,
  token: string | null,
  config: BenchConfig,
  server: Pick<ServerProcess<unknown>, "cpuTime" | "startProfile" | "stopProfile">,
  profileFile?: string,
): Promise<TargetResult> {
  if (target.auth && !token) throw new Error(`${target.name} needs a token and got none`);
  const options: autocannon.Options = {
    url: target.url,
    connections: config.connections,
    headers: target.auth && token ? { authorization: `Bearer ${token}` } : {},
  };
  if (config.warmupSeconds > 0) await autocannon({ ...options, duration: config.warmupSeconds });

  if (profileFile) await server.startProfile();
  const serverBefore = await server.cpuTime();
  const clientBefore = process.cpuUsage();
  const result = await autocannon({ ...options, duration: config.durationSeconds });
  const client = process.cpuUsage(clientBefore);
  const serverAfter = await server.cpuTime();
  const serverSystemMicros = serverAfter.system - serverBefore.system;
  const serverMicros = serverAfter.user - serverBefore.user + serverSystemMicros;
  if (profileFile) await server.stopProfile(profileFile);

  const wallMicros = result.duration * 1e6;
  const requests = result["2xx"] + result.non2xx;
  return {
    name: target.name,
    kind: target.kind,
    url: target.url,
    note: target.note,
    requestsPerSecond: result.requests.mean,
    rounds: [result.requests.mean],
    requests,
    latencyP50Ms: result.latency.p50,
    latencyP99Ms: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    serverCpuPercent: (100 * serverMicros) / wallMicros,
    serverCpuMicrosPerRequest: requests > 0 ? serverMicros / requests : 0,
    serverSystemCpuShare: serverMicros > 0 ? serverSystemMicros / serverMicros : 0,
    clientCpuPercent: (100 * (client.user + client.system)) / wallMicros,
  };
}
