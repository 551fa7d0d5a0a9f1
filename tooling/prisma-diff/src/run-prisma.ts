import { spawn } from "node:child_process";

import { engineStubPath, packageDir, prismaEntryPoint } from "./paths";

export interface PrismaRun {
  stdout: string;
  stderr: string;
}

/**
 * Generous: each call takes ~1 s. It only bounds a hung process; the ~10 s linger seen after
 * `migrate deploy` was pg's idle pool, which pg-adapter.ts's allowExitOnIdle removes.
 */
const DEFAULT_TIMEOUT_MS = 30_000;

/**
 * Runs this package's prisma 6.19 CLI with `args` against `databaseUrl` and resolves with its
 * output, or rejects on a non-zero exit. The engine stubs are set here so callers (turbo
 * tasks, tests) need no environment: turbo's strict env mode would drop them otherwise.
 * A process still running after `timeoutMs` is killed and the call fails.
 */
export function runPrisma(
  args: string[],
  databaseUrl: string,
  timeoutMs = DEFAULT_TIMEOUT_MS,
): Promise<PrismaRun> {
  const child = spawn(process.execPath, [prismaEntryPoint(), ...args], {
    cwd: packageDir, // prisma.config.ts is found from here
    env: {
      ...process.env,
      DATABASE_URL: databaseUrl, // read by prisma.config.ts's adapter
      PRISMA_SCHEMA_ENGINE_BINARY: engineStubPath,
      PRISMA_QUERY_ENGINE_LIBRARY: engineStubPath,
      CHECKPOINT_DISABLE: "1", // no update check over the network
      PRISMA_HIDE_UPDATE_MESSAGE: "1",
      NO_COLOR: "1",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));

  return new Promise((resolve, reject) => {
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill("SIGKILL");
    }, timeoutMs);
    child.on("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      if (code === 0) {
        resolve({ stdout, stderr });
        return;
      }
      const why = timedOut ? `timed out after ${timeoutMs} ms` : `exited with ${code ?? signal}`;
      reject(
        new Error(
          `prisma ${args.slice(0, 2).join(" ")} ${why}\n${stderr.trim()}\n${stdout.trim()}`.trim(),
        ),
      );
    });
  });
}
