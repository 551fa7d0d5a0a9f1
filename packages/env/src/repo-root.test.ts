import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

import { describe, expect, it } from "vitest";

import { findRepoRoot, resolveFromRepoRoot } from "./repo-root";

describe("resolveFromRepoRoot", () => {
  const root = findRepoRoot(import.meta.dirname) ?? "";

  it("finds the workspace root from inside a package (where turbo runs a task)", () => {
    expect(path.basename(path.dirname(path.dirname(root)))).not.toBe("packages");
    expect(findRepoRoot(path.join(root, "apps", "server"))).toBe(root);
  });

  it("resolves a relative LOG_DIR from the root, not from the app's folder", () => {
    expect(resolveFromRepoRoot("logs", path.join(root, "apps", "server"))).toBe(
      path.join(root, "logs"),
    );
    expect(resolveFromRepoRoot("/var/log/lifeline", root)).toBe("/var/log/lifeline");
  });

  it("falls back to the working directory outside a checkout", () => {
    const outside = mkdtempSync(path.join(tmpdir(), "lifeline-"));
    expect(resolveFromRepoRoot("logs", outside)).toBe(path.join(outside, "logs"));
  });
});
