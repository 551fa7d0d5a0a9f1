import { execFile } from "node:child_process";
import { promisify } from "node:util";

import { describe, expect, it } from "vitest";

const run = promisify(execFile);
const packageDir = new URL("..", import.meta.url).pathname;

/** `pnpm env:check` as `pnpm dev` runs it: its exit code and what it printed. */
async function check(env: Record<string, string>): Promise<{ code: number; stderr: string }> {
  return run(process.execPath, ["--import", "tsx", "src/check-cli.ts"], {
    cwd: packageDir,
    // Only the search path is inherited: the check must see no stray variable of the shell.
    env: { ...Object.fromEntries([["PATH", process.env.PATH]]), ...env },
  }).then(
    () => ({ code: 0, stderr: "" }),
    (error: unknown) => error as { code: number; stderr: string },
  );
}

describe("env:check", () => {
  it("passes a good environment", async () => {
    expect((await check({ PORT: "3000" })).code).toBe(0);
  });

  it("prints every problem and exits 1, so pnpm dev stops instead of hanging", async () => {
    const { code, stderr } = await check({ PORT: "abc", REDIS_URL: "http://x" });
    expect(code).toBe(1);
    expect(stderr).toContain("PORT: must be a whole number from 0 to 65535");
    expect(stderr).toContain("REDIS_URL");
  });
});
