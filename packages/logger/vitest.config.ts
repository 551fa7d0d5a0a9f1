import { defineProject } from "vitest/config";

// Unit tests only.
export default defineProject({ test: { name: "logger", include: ["src/**/*.test.ts"] } });
