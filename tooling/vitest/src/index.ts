import { fileURLToPath } from "node:url";

import "./provided-context";

export { LEAK } from "./leak";

import { defineConfig, defineProject, type ViteUserConfig } from "vitest/config";

const globalSetup = fileURLToPath(new URL("./global-setup.ts", import.meta.url));

/**
 * Tests that talk to the machine's real Postgres or Redis (or start a browser) are named
 * `*.integration.test.ts` / `*.browser.test.ts`; every other `*.test.ts` is a pure unit test.
 * The two kinds run as separate turbo tasks: `test` (cached, parallel) and
 * `test:integration` (never cached: the services are outside turbo's view).
 */
export const INTEGRATION_FILES = ["**/*.integration.test.ts", "**/*.browser.test.ts"];
const UNIT_FILES = ["**/*.test.ts"];
const IGNORED = ["**/node_modules/**", "**/dist/**"];

const integrationTest = {
  include: INTEGRATION_FILES,
  exclude: IGNORED,
  // The run gets its own database and Redis prefix (global-setup.ts); files share them,
  // so they run one at a time.
  globalSetup: [globalSetup],
  fileParallelism: false,
};

const unitTest = { include: UNIT_FILES, exclude: [...IGNORED, ...INTEGRATION_FILES] };

/**
 * One Vitest project for a package with one kind of test: unit by default, integration with
 * `integration: true` (its own database and Redis key prefix, files one at a time).
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
      ...(options.integration ? integrationTest : unitTest),
    },
  });
}

/**
 * Both kinds in one package: projects `unit` and `integration`, chosen by file name.
 * Scripts: `vitest run --project unit` and `vitest run --project integration`.
 */
export function lifelineProjects(): ViteUserConfig {
  return defineConfig({
    test: {
      projects: [
        { test: { name: "unit", testTimeout: 20_000, ...unitTest } },
        {
          test: {
            name: "integration",
            testTimeout: 20_000,
            hookTimeout: 30_000,
            ...integrationTest,
          },
        },
      ],
    },
  });
}
