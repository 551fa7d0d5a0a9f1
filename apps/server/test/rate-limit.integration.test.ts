import { randomBytes } from "node:crypto";

import { register } from "@lifeline/core";
import { afterEach, describe, expect, inject, it } from "vitest";

import { startTestServer, type TestServer } from "../src/testing";

const PASSWORD = "correct horse battery";
const REAL_LIMITS = {
  RATE_LIMIT_GLOBAL_MAX: "100",
  RATE_LIMIT_AUTH_MAX: "5",
  RATE_LIMIT_REFRESH_MAX: "60",
};

const servers: TestServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function start(env: Record<string, string>): Promise<TestServer> {
  const server = await startTestServer({ databaseUrl: inject("databaseUrl"), env });
  servers.push(server);
  return server;
}

/** A key prefix two instances share, as two processes of one deployment would. */
const sharedPrefix = () => `${inject("redisKeyPrefix")}shared-${randomBytes(4).toString("hex")}:`;

function login(
  server: TestServer,
  email: string,
  options: { ip?: string; forwardedFor?: string } = {},
) {
  return server.app.inject({
    method: "POST",
    url: "/trpc/auth.login",
    payload: { email, password: PASSWORD },
    remoteAddress: options.ip ?? "198.51.100.10",
    headers: options.forwardedFor ? { "x-forwarded-for": options.forwardedFor } : {},
  });
}

describe("credential rate limit", () => {
  it("refuses the 6th login in the window with 429 and Retry-After, counted across two instances", async () => {
    const env = { ...REAL_LIMITS, REDIS_KEY_PREFIX: sharedPrefix() };
    const a = await start(env);
    const b = await start(env);
    const email = `limited-${randomBytes(3).toString("hex")}@example.com`;
    // Created directly, so the account's setup spends none of the five attempts.
    await register(
      {
        db: a.deps.db,
        accessTokens: a.deps.accessTokens,
        passwords: a.deps.passwords,
        config: a.deps.authConfig,
        jobs: a.deps.jobs,
      },
      { email, password: PASSWORD },
      { ip: null, userAgent: null },
    );

    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await login(i % 2 ? b : a, email)).statusCode);
    expect(statuses).toEqual([200, 200, 200, 200, 200]);

    const sixth = await login(b, email);
    expect(sixth.statusCode).toBe(429);
    expect(Number(sixth.headers["retry-after"])).toBeGreaterThanOrEqual(1);
    expect(Number(sixth.headers["retry-after"])).toBeLessThanOrEqual(900);
    expect(sixth.headers["ratelimit-limit"]).toBe("5");
    expect(sixth.headers["ratelimit-remaining"]).toBe("0");
    const body = sixth.json<{
      error: { message: string; data: { code: string; httpStatus: number; requestId: string } };
    }>();
    expect(body.error.data).toMatchObject({ code: "TOO_MANY_REQUESTS", httpStatus: 429 });
    expect(body.error.data.requestId).toBe(sixth.headers["x-request-id"]);
    expect(body.error.message).toMatch(/retry in \d+ seconds/);
  });

  it("is not reset by a spoofed X-Forwarded-For unless TRUST_PROXY is set", async () => {
    const untrusting = await start({ ...REAL_LIMITS, TRUST_PROXY: "false" });
    // Unknown emails, one per attempt: only the per-IP limit can bind.
    const attempt = (server: TestServer, i: number) =>
      login(server, `nobody-${i}-${randomBytes(3).toString("hex")}@example.com`, {
        ip: "198.51.100.20",
        forwardedFor: `203.0.113.${i}`,
      });
    const spoofed: number[] = [];
    for (let i = 0; i < 6; i++) spoofed.push((await attempt(untrusting, i)).statusCode);
    expect(spoofed).toEqual([401, 401, 401, 401, 401, 429]);

    const behindProxy = await start({ ...REAL_LIMITS, TRUST_PROXY: "true" });
    const distinct: number[] = [];
    for (let i = 0; i < 6; i++) distinct.push((await attempt(behindProxy, i)).statusCode);
    expect(distinct).toEqual([401, 401, 401, 401, 401, 401]);
  });
});

describe("global rate limit", () => {
  it("holds at 100 requests per client, with RateLimit headers, and leaves probes alone", async () => {
    const server = await start(REAL_LIMITS);
    const get = (url: string, ip = "198.51.100.30") =>
      server.app.inject({ method: "GET", url, remoteAddress: ip });
    for (let i = 0; i < 100; i++) {
      const res = await get("/trpc/auth.me");
      expect(res.statusCode).toBe(401);
      if (i === 0) expect(res.headers["ratelimit-remaining"]).toBe("99");
    }
    const over = await get("/trpc/auth.me");
    expect(over.statusCode).toBe(429);
    expect(Number(over.headers["retry-after"])).toBeGreaterThanOrEqual(1);
    expect(
      over.json<{ error: { data: { code: string; reason: string } } }>().error.data,
    ).toMatchObject({ code: "TOO_MANY_REQUESTS", reason: "retry_later" });

    const rest = await get("/api/anything");
    expect(rest.statusCode).toBe(429);
    expect(rest.json<{ error: { code: string; requestId: string } }>().error).toMatchObject({
      code: "TOO_MANY_REQUESTS",
      requestId: rest.headers["x-request-id"],
    });

    expect((await get("/healthz")).statusCode).toBe(200);
    expect((await get("/trpc/auth.me", "198.51.100.31")).statusCode).toBe(401);
  });
});

describe("with Redis unreachable", () => {
  it("fails closed on credential routes (503) and open on the global limit", async () => {
    const server = await start({ ...REAL_LIMITS, REDIS_URL: "redis://127.0.0.1:1" });
    const started = Date.now();
    const res = await login(server, "anyone@example.com");
    expect(Date.now() - started).toBeLessThan(2000);
    expect(res.statusCode).toBe(503);
    expect(res.json<{ error: { data: { code: string } } }>().error.data.code).toBe(
      "SERVICE_UNAVAILABLE",
    );

    const open = await server.app.inject({ method: "GET", url: "/trpc/auth.me" });
    expect(open.statusCode).toBe(401);
  });
});
