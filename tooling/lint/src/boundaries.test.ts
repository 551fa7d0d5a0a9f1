import path from "node:path";

import { ESLint } from "eslint";
import tseslint from "typescript-eslint";
import { describe, expect, it } from "vitest";

const root = path.resolve(import.meta.dirname, "../../..");
// The repository's own config; the probe files do not exist on disk, so they are linted
// without type information (the boundary rule needs none).
const eslint = new ESLint({
  cwd: root,
  overrideConfig: [{ files: ["**/boundary-probe.ts"], ...tseslint.configs.disableTypeChecked }],
});

/** The boundary messages ESLint reports for `code` placed at `file` (relative to the root). */
async function violations(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: path.join(root, file) });
  return (result?.messages ?? [])
    .filter((m) => m.ruleId === "@typescript-eslint/no-restricted-imports")
    .map((m) => m.message);
}

describe("dependency direction", () => {
  it("refuses an arrow pointing up: core importing api", async () => {
    const found = await violations(
      "packages/core/src/boundary-probe.ts",
      'import { appRouter } from "@lifeline/api";\nexport const probe = appRouter;\n',
    );
    expect(found).toEqual([expect.stringContaining("core may not import @lifeline/api")]);
  });

  it("allows an arrow pointing down: api importing core", async () => {
    const found = await violations(
      "packages/api/src/boundary-probe.ts",
      'import { AppError } from "@lifeline/core";\nexport const probe = AppError;\n',
    );
    expect(found).toEqual([]);
  });

  it("keeps transports out of core", async () => {
    const found = await violations(
      "packages/core/src/boundary-probe.ts",
      'import { TRPCError } from "@trpc/server";\nexport const probe = TRPCError;\n',
    );
    expect(found).toHaveLength(1);
  });

  it("lets the client import api for its types only", async () => {
    const typeOnly = await violations(
      "packages/client/src/boundary-probe.ts",
      'import type { AppRouter } from "@lifeline/api";\nexport type Probe = AppRouter;\n',
    );
    expect(typeOnly).toEqual([]);
    const value = await violations(
      "packages/client/src/boundary-probe.ts",
      'import { appRouter } from "@lifeline/api";\nexport const probe = appRouter;\n',
    );
    expect(value).toHaveLength(1);
  });

  it("keeps the apps apart, and the jobs app away from api", async () => {
    expect(
      await violations(
        "apps/server/src/boundary-probe.ts",
        'import { x } from "@lifeline/jobs";\nexport const probe = x;\n',
      ),
    ).toHaveLength(1);
    expect(
      await violations(
        "apps/jobs/src/boundary-probe.ts",
        'import { appRouter } from "@lifeline/api";\nexport const probe = appRouter;\n',
      ),
    ).toHaveLength(1);
  });
});
