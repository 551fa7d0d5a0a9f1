import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

import { describe, expect, it } from "vitest";

const packageDir = fileURLToPath(new URL("..", import.meta.url));

function runFixture(kind: string, logDir: string): Promise<number | null> {
  const child = spawn(
    process.execPath,
    ["--import", "tsx", "test/fixtures/crash.ts", kind, logDir],
    {
      cwd: packageDir,
      stdio: "ignore",
    },
  );
  return new Promise((resolve) => child.on("exit", (code) => resolve(code)));
}

describe("crash handlers", () => {
  it.each([
    ["rejection", "unhandledRejection", "escaped rejection"],
    ["exception", "uncaughtException", "escaped exception"],
  ])("log an escaped %s with its stack to error.log, then exit 1", async (kind, label, message) => {
    const logDir = mkdtempSync(path.join(tmpdir(), "lifeline-crash-"));
    expect(await runFixture(kind, logDir)).toBe(1);
    const line = JSON.parse(readFileSync(path.join(logDir, "error.log"), "utf8").trim()) as {
      level: string;
      msg: string;
      err: { message: string; stack: string };
    };
    expect(line).toMatchObject({ level: "fatal", msg: label, err: { message } });
    expect(line.err.stack).toContain("crash.ts");
  });
});
