import type { AreaOutcome } from "./area";
import type { BenchConfig } from "./config";
import type { Machine } from "./machine";

/** One area's section of the report. */
export interface AreaResult extends AreaOutcome {
  area: string;
  title: string;
  seconds: number;
  /** Set when the area threw: its metrics are missing and the run fails. */
  error?: string;
}

export interface RunReport {
  startedAt: string;
  finishedAt: string;
  seconds: number;
  machine: Machine;
  warnings: string[];
  config: BenchConfig;
  areas: AreaResult[];
  /** True when any area had failed requests or threw: the run exits 1. */
  failed: boolean;
}

export function areaFailed(area: AreaResult): boolean {
  return area.error !== undefined || area.failures.length > 0;
}
