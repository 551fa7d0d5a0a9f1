import os from "node:os";

export interface Machine {
  cpus: number;
  cpuModel: string;
  node: string;
  platform: string;
  /** 1-minute load average when the run started and when it ended. */
  loadAverage: { before: number; after: number };
}

export function loadAverage(): number {
  return os.loadavg()[0] ?? 0;
}

export function describeMachine(loadBefore: number): Machine {
  const cpus = os.cpus();
  return {
    cpus: cpus.length,
    cpuModel: cpus[0]?.model.trim() ?? "unknown",
    node: process.version,
    platform: process.platform,
    loadAverage: { before: loadBefore, after: loadAverage() },
  };
}

/**
 * Only the load before the run says something (during it, the benchmark is the load): above
 * the CPU count, other work was competing and absolute numbers are not to be trusted.
 */
export function loadWarning(machine: Machine): string | null {
  const { before } = machine.loadAverage;
  if (before <= machine.cpus) return null;
  return (
    `load average ${before.toFixed(1)} on ${machine.cpus} CPUs before the run: other work was ` +
    "competing; trust ratios over absolute numbers, and rerun when the machine is idle"
  );
}
