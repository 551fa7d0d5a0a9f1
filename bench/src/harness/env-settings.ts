/**
 * Readers for BENCH_* variables, shared by the harness's own settings and each scenario's.
 * A bad value stops the run with a message naming the variable, before anything is started.
 */

function raw(name: string): string | undefined {
  const value = process.env[name];
  return value === undefined || value.trim() === "" ? undefined : value.trim();
}

/** An integer of at least `min` (1 unless told: 0 is only meaningful for a few settings). */
export function intSetting(name: string, fallback: number, { min = 1 } = {}): number {
  const value = raw(name);
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < min) {
    throw new Error(`${name} must be an integer ≥ ${min}, got "${value}"`);
  }
  return parsed;
}

/** An integer, or null when unset (the consumer's own default applies). */
export function optionalIntSetting(name: string, { min = 1 } = {}): number | null {
  return raw(name) === undefined ? null : intSetting(name, 0, { min });
}

/** "1"/"true" on, "0"/"false" off, unset → `fallback`. */
export function flagSetting(name: string, fallback: boolean): boolean {
  const value = raw(name)?.toLowerCase();
  if (value === undefined) return fallback;
  if (value === "1" || value === "true") return true;
  if (value === "0" || value === "false") return false;
  throw new Error(`${name} must be 1/true or 0/false, got "${value}"`);
}

export function oneOfSetting<T extends string>(
  name: string,
  choices: readonly T[],
  fallback: T,
): T {
  const value = raw(name);
  if (value === undefined) return fallback;
  const choice = choices.find((c) => c === value);
  if (!choice) throw new Error(`${name} must be one of ${choices.join(", ")}, got "${value}"`);
  return choice;
}

export function stringSetting(name: string): string | undefined {
  return raw(name);
}

/** A comma-separated list, or null when unset. */
export function listSetting(name: string): string[] | null {
  const value = raw(name);
  return value === undefined
    ? null
    : value
        .split(",")
        .map((item) => item.trim())
        .filter(Boolean);
}
