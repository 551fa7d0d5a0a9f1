import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

import { dropDatabase, ensureDatabase } from "@lifeline/db/testing";
import { createLogger, type Logger } from "@lifeline/logger";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";

import { startTestServer, type TestServer } from "../src/testing";

const PASSWORD = "Sup3r-Secret-Passphrase!";

function logFiles(dir: string) {
  const read = (name: string) => readFileSync(path.join(dir, name), "utf8");
  return { combined: read("combined.log"), error: read("error.log") };
}

async function flushed(logger: Logger): Promise<void> {
  await new Promise<void>((resolve) => {
    logger.flush(() => {
      resolve();
    });
  });
  await new Promise((r) => setTimeout(r, 100));
}

describe("logs after a real sign-in", () => {
  let server: TestServer;
  let logger: Logger;
  let dir: string;
  const secrets: string[] = [PASSWORD];
  let userId = "";

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), "lifeline-logs-"));
    logger = createLogger({ name: "server", level: "trace", logDir: dir, console: false });
    server = await startTestServer({ databaseUrl: inject("databaseUrl"), logger });
    const credentials = { email: "logged@example.com", password: PASSWORD };
    await server.app.inject({ method: "POST", url: "/trpc/auth.register", payload: credentials });
    const login = await server.app.inject({
      method: "POST",
      url: "/trpc/auth.login",
      payload: credentials,
    });
    const pair = login.json<{
      result: { data: { accessToken: string; refreshToken: string; user: { id: string } } };
    }>().result.data;
    userId = pair.user.id;
    const authorization = `Bearer ${pair.accessToken}`;
    secrets.push(pair.accessToken, pair.refreshToken, authorization);
    await server.app.inject({
      method: "GET",
      url: "/trpc/auth.me",
      headers: { authorization, cookie: "sid=cookie-secret" },
    });
    secrets.push("cookie-secret");
    const refreshed = await server.app.inject({
      method: "POST",
      url: "/trpc/auth.refresh",
      payload: { refreshToken: pair.refreshToken },
    });
    const next = refreshed.json<{
      result: { data: { accessToken: string; refreshToken: string } };
    }>().result.data;
    secrets.push(next.accessToken, next.refreshToken);
    // A failed login logs at warn level or below; its wrong password must not appear either.
    await server.app.inject({
      method: "POST",
      url: "/trpc/auth.login",
      payload: { email: credentials.email, password: "Wrong-Passphrase-123" },
    });
    secrets.push("Wrong-Passphrase-123");
    await flushed(logger);
  });
  afterAll(() => server.close());

  it("writes no password, token, cookie or Authorization header to either file", () => {
    const { combined, error } = logFiles(dir);
    expect(combined.length).toBeGreaterThan(0);
    for (const secret of secrets) {
      expect(combined).not.toContain(secret);
      expect(error).not.toContain(secret);
    }
  });

  it("writes one JSON request line per request with method, route, status, duration, ip, request id and user", () => {
    const lines = logFiles(dir)
      .combined.trim()
      .split("\n")
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .filter((l) => l.msg === "request");
    expect(lines).toHaveLength(5);
    const me = lines.find((l) => l.path === "/trpc/auth.me");
    expect(me).toMatchObject({
      level: "info",
      method: "GET",
      route: "/trpc/:path",
      status: 200,
      ip: "127.0.0.1",
      userId,
    });
    expect(typeof me?.durationMs).toBe("number");
    expect(me?.requestId).toEqual(expect.any(String));
    expect(lines.find((l) => l.path === "/trpc/auth.login" && l.status === 401)).toBeTruthy();
  });
});

describe("unexpected errors", () => {
  it("answer 500 with a generic message and no stack, while error.log gets the whole error", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "lifeline-logs-"));
    const logger = createLogger({ name: "server", level: "info", logDir: dir, console: false });
    // A reachable database without our tables: every query fails in a way no client caused.
    const empty = new URL(inject("databaseUrl"));
    empty.pathname = `/lifeline_unmigrated_${Date.now().toString(36)}`;
    await ensureDatabase(empty.toString());
    const server = await startTestServer({ databaseUrl: empty.toString(), logger });
    try {
      const res = await server.app.inject({
        method: "POST",
        url: "/trpc/auth.login",
        payload: { email: "x@example.com", password: "whatever-password" },
      });
      expect(res.statusCode).toBe(500);
      const raw = res.body;
      const body = JSON.parse(raw) as { error: { message: string; data: Record<string, unknown> } };
      expect(body.error.message).toBe("Internal server error");
      expect(body.error.data.code).toBe("INTERNAL_SERVER_ERROR");
      expect(body.error.data.requestId).toBe(res.headers["x-request-id"]);
      expect(raw).not.toMatch(/stack|does not exist|relation|users|at .*\.ts/);

      await flushed(logger);
      const { error } = logFiles(dir);
      expect(error).toContain('relation \\"public.users\\" does not exist');
      expect(error).toContain('"stack"');
      expect(error).toContain(String(res.headers["x-request-id"]));
    } finally {
      await server.close();
      await dropDatabase(empty.toString());
    }
  });
});
