import { spawn } from "node:child_process";
import { once } from "node:events";
import { fileURLToPath } from "node:url";

import { describe, expect, it } from "vitest";

const packageDir = fileURLToPath(new URL("..", import.meta.url));

async function stopWithSignal(stepMs: number, timeoutMs: number, signal: NodeJS.Signals) {
  const child = spawn(
    process.execPath,
    ["--import", "tsx", "test/fixtures/shutdown.ts", String(stepMs), String(timeoutMs)],
    { cwd: packageDir, stdio: ["ignore", "pipe", "inherit"] },
  );
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
  while (!output.includes("ready")) await once(child.stdout, "data");
  child.kill(signal);
  // A second signal while stopping changes nothing.
  setTimeout(() => child.kill(signal), 20);
  const [code] = (await once(child, "exit")) as [number | null];
  return { code, output };
}

describe("installGracefulShutdown", () => {
  it("stops each step in order on SIGTERM, then exits 0", async () => {
    const { code, output } = await stopWithSignal(100, 2000, "SIGTERM");
    expect(code).toBe(0);
    expect(output).toBe("ready\nwork stopped\nresources released\n");
  });

  it("does the same on SIGINT", async () => {
    expect((await stopWithSignal(0, 2000, "SIGINT")).code).toBe(0);
  });

  it("exits 1 when the steps outlast the deadline", async () => {
    const { code, output } = await stopWithSignal(5000, 300, "SIGTERM");
    expect(code).toBe(1);
    expect(output).not.toContain("resources released");
  });
});
