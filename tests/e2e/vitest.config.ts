import { lifelineProject } from "@lifeline/vitest-config";
import { mergeConfig } from "vitest/config";

// Workspace packages are imported from source here (the "@lifeline/source" export
// condition); the packed client is tested in a project of its own (package.integration.test.ts).
const conditions = ["@lifeline/source", "node", "development|production"];

export default mergeConfig(lifelineProject("e2e", { integration: true }), {
  resolve: { conditions },
  ssr: { resolve: { conditions } },
  test: {
    // Packing and installing the client takes a while on a 2-core machine.
    hookTimeout: 180_000,
  },
});
