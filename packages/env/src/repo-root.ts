import { existsSync } from "node:fs";
import path from "node:path";

/**
 * The repository's root (the folder holding pnpm-workspace.yaml), searched upwards from
 * `from`; null outside a checkout (a deployed bundle). turbo runs each app in its own
 * folder, so anything configured "relative to the project" is resolved from here.
 */
export function findRepoRoot(from: string = process.cwd()): string | null {
  let dir = path.resolve(from);
  for (;;) {
    if (existsSync(path.join(dir, "pnpm-workspace.yaml"))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) return null;
    dir = parent;
  }
}

/** An absolute path for a configured one: relative paths count from the repository root. */
export function resolveFromRepoRoot(configured: string, from: string = process.cwd()): string {
  return path.resolve(findRepoRoot(from) ?? from, configured);
}
