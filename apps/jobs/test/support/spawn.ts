import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

import { waitFor } from "./wait";

const appDir = fileURLToPath(new URL("../..", import.meta.url));

export interface SpawnedProcess {
  pid: number;
  /** Everything it printed so far (stdout and stderr). */
  output: () => string;
  exited: Promise<number | null>;
  kill: (signal: NodeJS.Signals) => void;
}

/** Runs `script` (relative to apps/jobs) under tsx, as `pnpm dev` runs main.ts. */
export function spawnTs(
  script: string,
  args: string[],
  env: Record<string, string>,
): SpawnedProcess {
  const child = spawn(process.execPath, ["--import", "tsx", script, ...args], {
    cwd: appDir,
    env: { PATH: process.env.PATH, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return {
    pid: child.pid ?? 0,
    output: () => output,
    exited,
    kill: (signal) => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    },
  };
}

/** A fixture jobs process (default fixtures/jobs-process.ts), once it says it is ready. */
export async function startFixture(
  args: string[],
  env: Record<string, string>,
  script = "test/fixtures/jobs-process.ts",
): Promise<SpawnedProcess> {
  const spawned = spawnTs(script, args, env);
  let exitCode: number | null | undefined;
  void spawned.exited.then((code) => (exitCode = code));
  try {
    await waitFor(
      "the fixture process to start",
      () => {
        if (exitCode !== undefined) {
          throw new Error(`fixture exited (${exitCode}) before it was ready:\n${spawned.output()}`);
        }
        return spawned.output().includes("fixture ready\n");
      },
      30_000,
    );
  } catch (error) {
    spawned.kill("SIGKILL");
    throw error;
  }
  return spawned;
}
