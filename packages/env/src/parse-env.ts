import type { z } from "zod";

/** Thrown when the environment does not satisfy a process's schema. */
export class EnvError extends Error {
  override name = "EnvError";
  constructor(readonly problems: string[]) {
    super(`Invalid environment:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
  }
}

type Source = Record<string, string | undefined>;

/**
 * Parses `source` (process.env by default) against `schema` and reports every problem at
 * once, so a misconfigured deployment fails with one message instead of one per restart.
 * Empty strings count as unset: `FOO=` in a .env file means "use the default".
 */
export function parseEnv<T extends z.ZodType>(
  schema: T,
  source: Source = process.env,
): z.output<T> {
  const cleaned = Object.fromEntries(
    Object.entries(source).filter(([, v]) => v !== undefined && v !== ""),
  );
  const result = schema.safeParse(cleaned);
  if (result.success) return result.data;
  throw new EnvError(
    result.error.issues.map((issue) => {
      const name = issue.path.join(".") || "(root)";
      return `${name}: ${issue.message}`;
    }),
  );
}
