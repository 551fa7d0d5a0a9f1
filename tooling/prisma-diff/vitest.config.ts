import { lifelineProject } from "@lifeline/vitest-config";
import { mergeConfig } from "vitest/config";

// Each test makes and migrates its own database and runs prisma (~1 s per call).
export default mergeConfig(lifelineProject("prisma-diff", { integration: true }), {
  test: { testTimeout: 60_000, hookTimeout: 60_000 },
});
