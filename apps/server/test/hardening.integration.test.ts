import { generateSigningJwk } from "@lifeline/core";
import { importJWK, SignJWT, type JWK } from "jose";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";

import { startTestServer, type TestServer } from "../src/testing";
import { LEAK, trpcBatch, trpcCall, type RestError, type TrpcError } from "./support/http";

const PASSWORD = "correct horse battery";
let server: TestServer;
let signingJwk: JWK;

let sequence = 0;
const uniqueEmail = (label: string) =>
  `${label}-${Date.now().toString(36)}-${++sequence}@example.com`;

async function signUp(app = server, label = "user") {
  const email = uniqueEmail(label);
  await trpcCall(app.app, "auth.register", { email, password: PASSWORD });
  const login = await trpcCall(app.app, "auth.login", { email, password: PASSWORD });
  const data = login.json<{ result: { data: { accessToken: string; refreshToken: string } } }>();
  return { email, ...data.result.data };
}

beforeAll(async () => {
  signingJwk = await generateSigningJwk("hardening");
  server = await startTestServer({
    databaseUrl: inject("databaseUrl"),
    env: { JWT_SIGNING_KEYS: JSON.stringify([signingJwk]) },
  });
});
afterAll(() => server.close());

describe("tRPC batches", () => {
  it("refuse more than TRPC_MAX_BATCH_SIZE calls with a 400 in the standard shape, echoing nothing", async () => {
    const calls = Array.from({ length: 21 }, (): [string, unknown] => [
      "auth.logout",
      { refreshToken: "x" },
    ]);
    const res = await trpcBatch(server.app, calls);
    expect(res.statusCode).toBe(400);
    const body = res.json<TrpcError>();
    expect(body.error.data).toMatchObject({ code: "BAD_REQUEST", httpStatus: 400 });
    expect(body.error.message).toBe("A batch may hold at most 10 calls; this one holds 21");
    expect(res.body).not.toContain("auth.logout");
    // Ten is fine.
    expect((await trpcBatch(server.app, calls.slice(0, 10))).statusCode).toBe(200);
  });

  it("answer an over-long batch URL in the standard shape, with a request id and no URL", async () => {
    const calls = Array.from({ length: 416 }, (): [string, unknown] => ["auth.logout", {}]);
    const res = await trpcBatch(server.app, calls);
    expect(res.statusCode).toBeGreaterThanOrEqual(400);
    expect(res.statusCode).toBeLessThan(500);
    expect(res.body.length).toBeLessThan(500);
    expect(res.body).not.toContain("auth.logout,auth.logout");
    expect(
      res.json<TrpcError & { error: { data: { requestId: string } } }>().error.data.requestId,
    ).toBe(res.headers["x-request-id"]);
  });

  it("check at most one password per request: 10 guesses in one batch make one check", async () => {
    const { email, accessToken } = await signUp(server, "batch-guess");
    const guesses = Array.from({ length: 9 }, (_, i): [string, unknown] => [
      "auth.changePassword",
      { currentPassword: `wrong guess ${i}`, newPassword: "stolen password 1" },
    ]);
    const res = await trpcBatch(
      server.app,
      [
        ...guesses,
        ["auth.changePassword", { currentPassword: PASSWORD, newPassword: "stolen password 1" }],
      ],
      { token: accessToken },
    );
    const results = res.json<TrpcError[]>();
    expect(results).toHaveLength(10);
    expect(results[0]?.error.data.code).toBe("FORBIDDEN");
    for (const result of results.slice(1)) expect(result.error.data.code).toBe("BAD_REQUEST");
    // The right password, last in the batch, was never checked: the password is unchanged.
    const login = await trpcCall(server.app, "auth.login", { email, password: PASSWORD });
    expect(login.statusCode).toBe(200);
  });

  it("count every call against the global limit", async () => {
    const limited = await startTestServer({
      databaseUrl: inject("databaseUrl"),
      env: { RATE_LIMIT_GLOBAL_MAX: "15" },
    });
    try {
      const calls = Array.from({ length: 10 }, (): [string, unknown] => [
        "auth.logout",
        { refreshToken: "x" },
      ]);
      const first = await trpcBatch(limited.app, calls, { ip: "198.51.100.150" });
      expect(first.statusCode).toBe(200);
      expect(first.headers["ratelimit-remaining"]).toBe("5");
      const second = await trpcBatch(limited.app, calls, { ip: "198.51.100.150" });
      expect(second.statusCode).toBe(429);
    } finally {
      await limited.close();
    }
  });
});

describe("JSON nesting", () => {
  const deep = (levels: number) =>
    `{"email":${"[".repeat(levels)}${"]".repeat(levels)},"password":"x"}`;

  it("is bounded over REST: 400 in the standard shape, not a 500", async () => {
    const res = await server.app.inject({
      method: "POST",
      url: "/api/auth/login",
      headers: { "content-type": "application/json" },
      payload: deep(100_000),
    });
    expect(res.statusCode).toBe(400);
    const body = res.json<RestError>();
    expect(body.error).toMatchObject({
      code: "BAD_REQUEST",
      message: "JSON is nested deeper than 32 levels",
    });
  });

  it("is bounded over tRPC, in bodies and in GET inputs", async () => {
    const post = await server.app.inject({
      method: "POST",
      url: "/trpc/auth.login",
      headers: { "content-type": "application/json" },
      payload: deep(100_000),
    });
    expect(post.statusCode).toBe(400);
    expect(post.json<TrpcError>().error.data.code).toBe("BAD_REQUEST");
    const input = encodeURIComponent(`{"a":${"[".repeat(1000)}${"]".repeat(1000)}}`);
    const get = await server.app.inject({ method: "GET", url: `/trpc/auth.me?input=${input}` });
    expect(get.statusCode).toBe(400);
    expect(get.json<TrpcError>().error.message).toBe("JSON is nested deeper than 32 levels");
  });

  it("still accepts brackets inside strings, however many", async () => {
    const res = await trpcCall(server.app, "auth.login", {
      email: "nobody@example.com",
      password: "[".repeat(200),
    });
    expect(res.statusCode).toBe(401);
  });
});

describe("401s carry a reason", () => {
  async function forge(claims: { sid?: string; iat?: number; exp?: number }) {
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({ sid: claims.sid ?? "6f1d3a4e-2b7c-4d8e-9f01-23456789abcd" })
      .setProtectedHeader({ alg: "EdDSA", kid: signingJwk.kid, typ: "JWT" })
      .setSubject("6f1d3a4e-2b7c-4d8e-9f01-23456789abce")
      .setIssuer(server.env.JWT_ISSUER)
      .setAudience(server.env.JWT_AUDIENCE)
      .setIssuedAt(claims.iat ?? now)
      .setExpirationTime(claims.exp ?? now + 900)
      .sign(await importJWK(signingJwk, "EdDSA"));
  }

  async function reasonOf(token: string | undefined, transport: "trpc" | "rest" = "trpc") {
    const headers = token ? { authorization: `Bearer ${token}` } : {};
    if (transport === "rest") {
      const res = await server.app.inject({ method: "GET", url: "/api/auth/me", headers });
      expect(res.statusCode).toBe(401);
      return res.json<RestError>().error.reason;
    }
    const res = await server.app.inject({ method: "GET", url: "/trpc/auth.me", headers });
    expect(res.statusCode).toBe(401);
    return res.json<TrpcError>().error.data.reason;
  }

  it("token_expired, token_invalid, session_ended, credentials_invalid, on both transports", async () => {
    const now = Math.floor(Date.now() / 1000);
    const expired = await forge({ iat: now - 1000, exp: now - 100 });
    const { accessToken, refreshToken } = await signUp(server, "reasons");
    await trpcCall(server.app, "auth.logout", { refreshToken });
    for (const transport of ["trpc", "rest"] as const) {
      expect(await reasonOf(expired, transport)).toBe("token_expired");
      expect(await reasonOf("garbage", transport)).toBe("token_invalid");
      expect(await reasonOf(undefined, transport)).toBe("token_invalid");
      expect(await reasonOf(accessToken, transport)).toBe("session_ended");
    }
    const wrong = await trpcCall(server.app, "auth.login", {
      email: "nobody@example.com",
      password: "wrong password",
    });
    expect(wrong.json<TrpcError>().error.data.reason).toBe("credentials_invalid");
    const rest = await server.app.inject({
      method: "POST",
      url: "/api/auth/refresh",
      headers: { "content-type": "application/json" },
      payload: JSON.stringify({ refreshToken: "A".repeat(43) }),
    });
    expect(rest.json<RestError>().error.reason).toBe("credentials_invalid");
  });

  it("a validly signed token whose sid is not a UUID is token_invalid, and leaks nothing", async () => {
    const token = await forge({ sid: "not-a-uuid" });
    for (const url of ["/trpc/auth.me", "/api/auth/me"]) {
      const res = await server.app.inject({
        method: "GET",
        url,
        headers: { authorization: `Bearer ${token}` },
      });
      expect(res.statusCode).toBe(401);
      expect(res.body).toContain("token_invalid");
      expect(res.body).not.toMatch(LEAK);
    }
  });
});

describe("password hashing off the event loop", () => {
  it("keeps the server answering while logins hash, and sheds load with 503 + Retry-After", async () => {
    const busy = await startTestServer({
      databaseUrl: inject("databaseUrl"),
      env: { BCRYPT_COST: "12", PASSWORD_HASH_WORKERS: "1", PASSWORD_HASH_QUEUE_MAX: "2" },
    });
    try {
      const { email } = await signUp(busy, "storm");
      let loginsDone = 0;
      const logins = Array.from({ length: 8 }, (_, i) =>
        trpcCall(
          busy.app,
          "auth.login",
          { email, password: PASSWORD },
          { ip: `198.51.100.${i + 10}` },
        ).then((res) => {
          loginsDone++;
          return res;
        }),
      );
      // Each cost-12 hash takes a worker hundreds of ms; the event loop must stay free.
      const health = await busy.app.inject({ method: "GET", url: "/healthz" });
      expect(health.statusCode).toBe(200);
      expect(loginsDone).toBe(0);

      const results = await Promise.all(logins);
      const statuses = results.map((r) => r.statusCode);
      // One hashing, two waiting; the rest were told to come back, at once.
      expect(statuses.filter((s) => s === 200)).toHaveLength(3);
      const shed = results.filter((r) => r.statusCode === 503);
      expect(shed).toHaveLength(5);
      for (const res of shed) {
        expect(Number(res.headers["retry-after"])).toBeGreaterThanOrEqual(1);
        expect(res.json<TrpcError>().error.data).toMatchObject({
          code: "SERVICE_UNAVAILABLE",
          reason: "retry_later",
        });
      }
    } finally {
      await busy.close();
    }
  });
});
