import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

import { describe, expect, inject, it } from "vitest";

const appDir = fileURLToPath(new URL("..", import.meta.url));

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address();
      probe.close(() => {
        if (address && typeof address === "object") resolve(address.port);
        else reject(new Error("no port"));
      });
    });
  });
}

/** Polls /healthz for up to 10 s; the last status seen (0: no answer). */
async function healthzStatus(port: number): Promise<number> {
  let status = 0;
  for (let i = 0; i < 100 && status !== 200; i++) {
    await new Promise((r) => setTimeout(r, 100));
    status = await fetch(`http://127.0.0.1:${port}/healthz`).then(
      (r) => r.status,
      () => 0,
    );
  }
  return status;
}

function startMain(env: Record<string, string>) {
  const child = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], {
    cwd: appDir,
    env: { PATH: process.env.PATH, NODE_ENV: "production", LOG_LEVEL: "info", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return { child, exited, output: () => output };
}

describe("the server process", () => {
  it("serves on PORT and HOST, then drains and exits 0 on SIGTERM", async () => {
    const port = await freePort();
    const main = startMain({
      ...(await productionEnv()),
      PORT: String(port),
      HOST: "127.0.0.1",
      LOG_DIR: mkdtempSync(path.join(tmpdir(), "lifeline-main-")),
    });
    try {
      expect(await healthzStatus(port)).toBe(200);
      main.child.kill("SIGTERM");
      expect(await main.exited).toBe(0);
      expect(main.output()).toContain("shutdown complete");
    } finally {
      main.child.kill("SIGKILL");
    }
  });

  it("refuses to start with an invalid environment, naming every problem", async () => {
    const main = startMain({ PORT: "http", DATABASE_URL: "mysql://nope", BCRYPT_COST: "2" });
    expect(await main.exited).toBe(1);
    const output = main.output();
    for (const name of ["PORT", "DATABASE_URL", "BCRYPT_COST", "JWT_SIGNING_KEYS"]) {
      expect(output).toContain(name);
    }
  });

  it("says which port is taken and exits 1, instead of crashing", async () => {
    const holder = createServer();
    await new Promise<void>((resolve) => holder.listen(0, "127.0.0.1", resolve));
    const port = (holder.address() as { port: number }).port;
    const main = startMain({
      ...(await productionEnv()),
      PORT: String(port),
      HOST: "127.0.0.1",
      LOG_DIR: mkdtempSync(path.join(tmpdir(), "lifeline-main-")),
    });
    try {
      expect(await main.exited).toBe(1);
      expect(main.output()).toContain(`port ${port} on 127.0.0.1 is already in use`);
      expect(main.output()).not.toContain("uncaughtException");
    } finally {
      main.child.kill("SIGKILL");
      holder.close();
    }
  });

  it("resolves a relative LOG_DIR from the repository root, wherever it is started", async () => {
    const relative = `test-output/logs-${Date.now().toString(36)}`;
    const repoRoot = path.resolve(appDir, "../..");
    const port = await freePort();
    const main = startMain({
      ...(await productionEnv()),
      PORT: String(port),
      HOST: "127.0.0.1",
      LOG_DIR: relative,
    });
    try {
      await healthzStatus(port);
      main.child.kill("SIGTERM");
      expect(await main.exited).toBe(0);
      expect(existsSync(path.join(repoRoot, relative, "combined.log"))).toBe(true);
      expect(existsSync(path.join(appDir, relative))).toBe(false);
    } finally {
      main.child.kill("SIGKILL");
      rmSync(path.join(repoRoot, relative), { recursive: true, force: true });
    }
  });
});

async function productionEnv(): Promise<Record<string, string>> {
  const { generateSigningJwk } = await import("@lifeline/core");
  return {
    DATABASE_URL: inject("databaseUrl"),
    REDIS_URL: inject("redisUrl"),
    REDIS_KEY_PREFIX: `${inject("redisKeyPrefix")}main:`,
    JWT_SIGNING_KEYS: JSON.stringify([await generateSigningJwk("main")]),
    TOKEN_SECRET: "a-test-only-secret-of-thirty-two-chars",
    TOKEN_ENCRYPTION_KEYS: `test:${Buffer.alloc(32, 1).toString("base64")}`,
  };
}
