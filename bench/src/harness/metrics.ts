/**
 * The one shape every area reports in: a metric, the baseline it is compared with (measured in
 * the same run), their ratio, and a target that is met or not. Targets are reported, never
 * enforced: machines differ too much. Only failed requests fail a run (see AreaOutcome).
 */

/** `on: "ratio"` compares value ÷ baseline; `on: "value"` the value itself. */
export interface Target {
  on: "ratio" | "value";
  op: "≥" | "≤" | "<" | "=";
  threshold: number;
}

export interface Metric {
  name: string;
  /** null when it could not be measured (e.g. no successful request). */
  value: number | null;
  unit: string;
  baseline: { name: string; value: number | null } | null;
  /** value ÷ baseline.value, null without a usable baseline. */
  ratio: number | null;
  target: Target | null;
  /** null when there is no target or nothing to judge it on. */
  met: boolean | null;
  /** One line of explanation under the table, when the name is not enough. */
  note?: string;
}

export function metric(spec: {
  name: string;
  value: number | null;
  unit: string;
  baseline?: { name: string; value: number | null };
  target?: Target;
  note?: string;
}): Metric {
  const baseline = spec.baseline ?? null;
  const ratio = spec.value !== null && baseline?.value ? spec.value / baseline.value : null;
  const target = spec.target ?? null;
  return {
    name: spec.name,
    value: spec.value,
    unit: spec.unit,
    baseline,
    ratio,
    target,
    met: target ? judge(target, target.on === "ratio" ? ratio : spec.value) : null,
    ...(spec.note ? { note: spec.note } : {}),
  };
}

function judge(target: Target, actual: number | null): boolean | null {
  if (actual === null) return null;
  switch (target.op) {
    case "≥":
      return actual >= target.threshold;
    case "≤":
      return actual <= target.threshold;
    case "<":
      return actual < target.threshold;
    case "=":
      return actual === target.threshold;
  }
}

export function describeTarget(target: Target, unit: string): string {
  return target.on === "ratio"
    ? `ratio ${target.op} ${target.threshold}`
    : `${target.op} ${target.threshold}${unit === "count" ? "" : ` ${unit}`}`;
}

/** A detail table under an area's metrics; the first column is a name, the rest values. */
export interface Table {
  title: string;
  header: string[];
  rows: string[][];
}
