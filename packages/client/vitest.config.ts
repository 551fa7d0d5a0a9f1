import { lifelineProject } from "@lifeline/vitest-config";
import { mergeConfig } from "vitest/config";

// Unit tests only (the end-to-end ones live in tests/e2e). `*.test-d.ts` files are type
// tests: tsc checks them as part of `pnpm test`, so a type regression fails the run.
export default mergeConfig(lifelineProject("client"), {
  test: {
    typecheck: {
      enabled: true,
      include: ["test/**/*.test-d.ts"],
      tsconfig: "./tsconfig.json",
    },
  },
});
