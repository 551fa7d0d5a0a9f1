import { z } from "zod";

/** Cross-variable rules; they see the raw values of fields that failed, so check types. */
export type EnvRules = (env: Record<string, unknown>, ctx: z.RefinementCtx) => void;

/**
 * A group of variables one concern reads (database, redis, logging, auth, …). Each process
 * composes the fragments it needs into its own schema, so a variable is defined once and
 * every process that reads it reads it the same way.
 */
export interface EnvFragment<S extends z.ZodRawShape = z.ZodRawShape> {
  shape: S;
  rules?: EnvRules;
  /**
   * Defaults for development only (NODE_ENV unset or "development"), where the production
   * default would get in a developer's way (e.g. rate limits). Production and test use the
   * shape's own defaults.
   */
  developmentDefaults?: Partial<Record<keyof S & string, string>>;
}

export function defineFragment<S extends z.ZodRawShape>(fragment: EnvFragment<S>): EnvFragment<S> {
  return fragment;
}

/** The shapes of a tuple of fragments, merged into one (later fragments win, as in spread). */
type MergedShape<Fs extends readonly EnvFragment[]> = Fs extends readonly [
  EnvFragment<infer S>,
  ...infer Rest extends readonly EnvFragment[],
]
  ? S & MergedShape<Rest>
  : {}; // eslint-disable-line @typescript-eslint/no-empty-object-type -- the identity of &

/**
 * One process's schema from its fragments: parsed once, every problem reported at once
 * (the rules run even when fields failed), development defaults applied first. `variables`
 * lists every name it reads.
 */
export function composeEnv<const Fs extends readonly EnvFragment[]>(...fragments: Fs) {
  const merged: z.ZodRawShape = {};
  const developmentDefaults: Record<string, string | undefined> = {};
  for (const fragment of fragments) {
    Object.assign(merged, fragment.shape);
    Object.assign(developmentDefaults, fragment.developmentDefaults);
  }
  // The loop builds exactly the spread of every fragment's shape, which is what the type says.
  const shape = merged as MergedShape<Fs>;
  const object = z.object(shape).superRefine(
    (env, ctx) => {
      for (const fragment of fragments) fragment.rules?.(env, ctx);
    },
    { when: () => true },
  );
  const schema = z.preprocess((raw) => {
    if (typeof raw !== "object" || raw === null) return raw;
    const source = raw as Record<string, unknown>;
    const nodeEnv = source.NODE_ENV ?? "development";
    return nodeEnv === "development" ? { ...developmentDefaults, ...source } : source;
  }, object);
  const variables: readonly string[] = Object.keys(merged);
  return Object.assign(schema, { variables });
}
