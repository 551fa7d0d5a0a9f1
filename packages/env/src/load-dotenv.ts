import { existsSync } from "node:fs";
import path from "node:path";

import { findRepoRoot } from "./repo-root";

/**
 * Loads the repository's `.env` into process.env for development. Variables already set
 * win, so a deployment's real environment is never overridden by a stray file. Returns the
 * file loaded, if any.
 */
export function loadDotEnv(from: string = process.cwd()): string | null {
  const root = findRepoRoot(from);
  if (!root) return null;
  const file = path.join(root, ".env");
  if (!existsSync(file)) return null;
  process.loadEnvFile(file);
  return file;
}
