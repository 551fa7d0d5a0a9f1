import { fileURLToPath } from "node:url";

import "./provided-context";

import { defineProject, type ViteUserConfig } from "vitest/config";

const globalSetup = fileURLToPath(new URL("./global-setup.ts", import.meta.url));

/**
 * A package's Vitest project. `integration: true` gives the run its own database and Redis
 * prefix (see global-setup.ts) and runs files one at a time, since they share them.
 */
export function lifelineProject(
  name: string,
  options: { integration?: boolean } = {},
): ViteUserConfig {
  return defineProject({
    test: {
      name,
      testTimeout: 20_000,
      hookTimeout: 30_000,
      ...(options.integration ? { globalSetup: [globalSetup], fileParallelism: false } : {}),
    },
  });
}
