import { defineProject } from "vitest/config";

// Lints snippets with the repository's real ESLint config (type-aware, so allow time).
export default defineProject({
  test: { name: "lint", include: ["src/**/*.test.ts"], testTimeout: 60_000 },
});
