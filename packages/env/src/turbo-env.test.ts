import { readFileSync } from "node:fs";
import path from "node:path";

import { describe, expect, it } from "vitest";

import { findRepoRoot } from "./repo-root";
import {
  databaseEnvSchema,
  jobsEnvSchema,
  providerStandinsEnvSchema,
  serverEnvSchema,
} from "./index";

/**
 * turbo runs tasks in strict env mode: a variable not listed in turbo.json's globalEnv or
 * globalPassThroughEnv never reaches the processes it starts (`pnpm dev`, `pnpm start`),
 * and the process silently runs on its default. REDIS_KEY_PREFIX was once lost that way.
 */
const root = findRepoRoot(import.meta.dirname) ?? "";
const turbo = JSON.parse(readFileSync(path.join(root, "turbo.json"), "utf8")) as {
  globalEnv?: string[];
  globalPassThroughEnv?: string[];
};
const patterns = [...(turbo.globalEnv ?? []), ...(turbo.globalPassThroughEnv ?? [])];

/** turbo's wildcard: `*` matches any run of characters; everything else is literal. */
function matches(pattern: string, name: string): boolean {
  const literal = (part: string) => part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const regex = new RegExp(`^${pattern.split("*").map(literal).join(".*")}$`);
  return regex.test(name);
}

const reaches = (name: string) => patterns.some((pattern) => matches(pattern, name));

describe("turbo.json passes every environment variable", () => {
  for (const [process, schema] of [
    ["server", serverEnvSchema],
    ["jobs app", jobsEnvSchema],
    ["database scripts", databaseEnvSchema],
    ["provider stand-ins", providerStandinsEnvSchema],
  ] as const) {
    it(`of the ${process}`, () => {
      const dropped = schema.variables.filter((name) => !reaches(name));
      expect(dropped).toEqual([]);
    });
  }

  it("and the check itself can fail", () => {
    expect(reaches("SURELY_NOT_A_LIFELINE_VARIABLE")).toBe(false);
    expect(matches("RATE_LIMIT_*", "RATE_LIMIT_GLOBAL_MAX")).toBe(true);
  });
});
