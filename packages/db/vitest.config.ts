import { defineProject } from "vitest/config";

// Integration tests only: they create and drop real Postgres databases, one per test.
// (Not @lifeline/vitest-config: that package depends on this one.)
export default defineProject({
  test: { name: "db", include: ["src/**/*.integration.test.ts"], testTimeout: 30_000 },
});
