import { defineProject } from "vitest/config";

// Each test makes and migrates its own database and runs prisma (~1 s per call).
export default defineProject({
  test: { name: "prisma-diff", testTimeout: 60000, hookTimeout: 60000 },
});
