import { defineProject } from "vitest/config";

// Unit tests: they spawn small fixture processes, no Postgres or Redis.
export default defineProject({
  test: { name: "process", include: ["test/**/*.test.ts"], testTimeout: 20_000 },
});
