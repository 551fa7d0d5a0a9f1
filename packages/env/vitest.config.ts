import { defineProject } from "vitest/config";

// Unit tests only. (Not @lifeline/vitest-config: that package depends on this one.)
export default defineProject({ test: { name: "env", include: ["src/**/*.test.ts"] } });
