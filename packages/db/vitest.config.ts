import { defineProject } from "vitest/config";

// The migration tests create and drop real Postgres databases, one per test.
export default defineProject({ test: { name: "db", testTimeout: 30000 } });
