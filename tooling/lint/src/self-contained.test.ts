import { execFileSync } from "node:child_process";
import path from "node:path";

import { describe, expect, it } from "vitest";

const root = path.resolve(import.meta.dirname, "../../..");

// Documents that were reference material for the project's authors, never part of it. The
// repository must stand on its own: what a maintainer needs from them is in docs/.
const OUTSIDE = String.raw`\.\./shared/|toolchain-notes\.md|seed-roadmap\.md|providers\.md|style\.md|design\.md`;

describe("the repository stands on its own", () => {
  it("no tracked file points at documents outside it", () => {
    let found = "";
    try {
      found = execFileSync(
        "git",
        [
          "grep",
          "-nE",
          OUTSIDE,
          "--",
          ":!pnpm-lock.yaml",
          ":!tooling/lint/src/self-contained.test.ts",
        ],
        { cwd: root, encoding: "utf8" },
      );
    } catch (error) {
      // git grep exits 1 when nothing matches: the good case.
      if ((error as { status?: number }).status !== 1) throw error;
    }
    expect(found).toBe("");
  });
});
