import { existsSync } from "node:fs";
import path from "node:path";

/**
 * Loads the repository's `.env` (found by walking up to pnpm-workspace.yaml) into process.env
 * for development. Variables already set win, so a deployment's real environment is never
 * overridden by a stray file. Returns the file loaded, if any.
 */
export function loadDotEnv(from: string = process.cwd()): string | null {
  let dir = path.resolve(from);
  for (;;) {
    if (existsSync(path.join(dir, "pnpm-workspace.yaml"))) {
      const file = path.join(dir, ".env");
      if (!existsSync(file)) return null;
      process.loadEnvFile(file);
      return file;
    }
    const parent = path.dirname(dir);
    if (parent === dir) return null;
    dir = parent;
  }
}
