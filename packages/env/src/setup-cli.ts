import { appendFileSync, existsSync, readFileSync } from "node:fs";
import path from "node:path";

import { missingSecretLines } from "./secret-generators";
import { findRepoRoot } from "./repo-root";

// `pnpm env:setup`, run by `pnpm dev` first: outside production, gives the repository's .env
// the secrets it lacks (generated here, never committed), so every process and restart
// shares them. A value already in .env or in the environment is left alone.
const root = findRepoRoot();
const nodeEnv = process.env.NODE_ENV ?? "development";
if (root && nodeEnv !== "production") {
  const file = path.join(root, ".env");
  const current = existsSync(file) ? readFileSync(file, "utf8") : "";
  const lines = missingSecretLines(current).filter(
    (line) => process.env[line.slice(0, line.indexOf("="))] === undefined,
  );
  if (lines.length) {
    const header =
      "# Generated for development by `pnpm env:setup` (never use these in production)";
    const prefix = current === "" || current.endsWith("\n") ? "" : "\n";
    appendFileSync(file, `${prefix}${header}\n${lines.join("\n")}\n`);
    process.stdout.write(
      `env:setup: wrote ${lines.map((l) => l.slice(0, l.indexOf("="))).join(", ")} to .env\n`,
    );
  }
}
