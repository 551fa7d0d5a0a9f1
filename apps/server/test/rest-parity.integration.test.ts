import { randomBytes, randomUUID } from "node:crypto";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

import { appRouter, listProcedures, ZErrorResponseSchema } from "@lifeline/api";
import { issueEmailToken, type EmailTokenPurpose } from "@lifeline/core";
import { createLogger } from "@lifeline/logger";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";

import { startTestServer, type TestServer } from "../src/testing";

/**
 * The REST bridge is a second door to the same procedures: every auth procedure, called the
 * same way over /trpc and over /api, must give the same results and the same errors.
 */

let server: TestServer;
beforeAll(async () => {
  // startTestServer raises the limits far above what this file spends; see "rate limits" below.
  server = await startTestServer({ databaseUrl: inject("databaseUrl") });
});
afterAll(() => server.close());

type Outcome =
  | { ok: true; status: number; data: unknown }
  | {
      ok: false;
      status: number;
      code: string;
      message: string;
      details?: { path: string; message: string }[];
    };

type Headers = Record<string, string>;

interface Transport {
  name: "trpc" | "rest";
  call(procedure: string, input?: unknown, headers?: Headers): Promise<Outcome>;
}

const routes = new Map(
  listProcedures(appRouter).map(({ procedure, openapi, definition }) => [
    procedure,
    { openapi, type: definition._def.type },
  ]),
);

function route(procedure: string) {
  const found = routes.get(procedure);
  if (!found) throw new Error(`no procedure ${procedure}`);
  return found;
}

const trpc: Transport = {
  name: "trpc",
  async call(procedure, input, headers = {}) {
    const isQuery = route(procedure).type === "query";
    const query =
      isQuery && input !== undefined ? `?input=${encodeURIComponent(JSON.stringify(input))}` : "";
    const res = await server.app.inject({
      method: isQuery ? "GET" : "POST",
      url: `/trpc/${procedure}${query}`,
      headers: { ...(isQuery ? {} : { "content-type": "application/json" }), ...headers },
      ...(!isQuery && input !== undefined ? { payload: JSON.stringify(input) } : {}),
    });
    const body = res.json<{
      result?: { data: unknown };
      error?: {
        message: string;
        data: { code: string; requestId: string; details?: { path: string; message: string }[] };
      };
    }>();
    if (body.error) {
      expect(body.error.data.requestId).toBe(res.headers["x-request-id"]);
      return {
        ok: false,
        status: res.statusCode,
        code: body.error.data.code,
        message: body.error.message,
        ...(body.error.data.details ? { details: body.error.data.details } : {}),
      };
    }
    return { ok: true, status: res.statusCode, data: body.result?.data };
  },
};

const rest: Transport = {
  name: "rest",
  async call(procedure, input, headers = {}) {
    const { openapi } = route(procedure);
    if (!openapi) throw new Error(`${procedure} has no REST route`);
    const given = { ...(input as Record<string, unknown> | undefined) };
    // Path parameters come out of the input; the rest goes in the query or the body.
    const inPath = new Set<string>();
    const path = openapi.path.replace(/\{([^}]+)\}/g, (_, key: string) => {
      inPath.add(key);
      return encodeURIComponent(String(given[key]));
    });
    const fields = Object.fromEntries(Object.entries(given).filter(([key]) => !inPath.has(key)));
    const hasBody = !["GET", "DELETE"].includes(openapi.method);
    const query =
      !hasBody && Object.keys(fields).length
        ? `?${new URLSearchParams(fields as Record<string, string>).toString()}`
        : "";
    const res = await server.app.inject({
      method: openapi.method,
      url: `/api${path}${query}`,
      headers: {
        ...(hasBody && input !== undefined ? { "content-type": "application/json" } : {}),
        ...headers,
      },
      ...(hasBody && input !== undefined ? { payload: JSON.stringify(fields) } : {}),
    });
    const body: unknown = res.json();
    if (res.statusCode >= 400) {
      // Exactly the standard shape (strict: nothing else), naming this request.
      const { error } = ZErrorResponseSchema.parse(body);
      expect(error.requestId).toBe(res.headers["x-request-id"]);
      expect(res.headers["content-type"]).toBe("application/json; charset=utf-8");
      return {
        ok: false,
        status: res.statusCode,
        code: error.code,
        message: error.message,
        ...(error.details ? { details: error.details } : {}),
      };
    }
    return { ok: true, status: res.statusCode, data: body };
  },
};

const bearer = (token: string): Headers => ({ authorization: `Bearer ${token}` });

/** Replaces what differs by nature between two runs (ids, tokens, times, the email) with its kind. */
function normalise(value: unknown, email: string): unknown {
  // Lists compare as sets: rows created in the same millisecond may come in either order.
  if (Array.isArray(value)) {
    return value
      .map((item) => normalise(item, email))
      .sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
  }
  if (value && typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value).map(([key, v]) => {
        if (["id", "accessToken", "refreshToken"].includes(key) && typeof v === "string")
          return [key, `<${key}>`];
        if (/At$/.test(key) && typeof v === "string")
          return [key, Number.isNaN(Date.parse(v)) ? v : "<time>"];
        return [key, normalise(v, email)];
      }),
    );
  }
  if (typeof value === "string") return value.split(email).join("<email>");
  return value;
}

function data(outcome: Outcome): unknown {
  if (!outcome.ok) {
    throw new Error(`expected success, got ${outcome.status} ${outcome.code}: ${outcome.message}`);
  }
  return outcome.data;
}

const tokens = (outcome: Outcome) => data(outcome) as TokenPair;

interface TokenPair {
  accessToken: string;
  refreshToken: string;
  user: { id: string };
}

/**
 * Every auth procedure once, in an order where each call means something, recording what
 * came back. Run once per transport, each with its own account.
 */
async function scenario(t: Transport, email: string): Promise<[string, Outcome][]> {
  const password = "correct horse battery staple";
  const log: [string, Outcome][] = [];
  const step = async (label: string, outcome: Promise<Outcome>) => {
    const result = await outcome;
    log.push([label, result]);
    return result;
  };

  await step("register", t.call("auth.register", { email, password }));
  const first = tokens(await step("login", t.call("auth.login", { email, password })));
  const second = tokens(await step("login again", t.call("auth.login", { email, password })));
  await step("me", t.call("auth.me", undefined, bearer(first.accessToken)));
  const listed = await step(
    "sessions",
    t.call("auth.sessions", undefined, bearer(first.accessToken)),
  );
  const other = (data(listed) as { sessions: { id: string; current: boolean }[] }).sessions.find(
    (s) => !s.current,
  );
  const refreshed = tokens(
    await step("refresh", t.call("auth.refresh", { refreshToken: first.refreshToken })),
  );
  await step(
    "revokeSession",
    t.call("auth.revokeSession", { id: other?.id }, bearer(refreshed.accessToken)),
  );
  await step(
    "revokeSession again",
    t.call("auth.revokeSession", { id: other?.id }, bearer(refreshed.accessToken)),
  );
  await step(
    "refresh of the revoked session",
    t.call("auth.refresh", { refreshToken: second.refreshToken }),
  );
  const third = tokens(await step("login third", t.call("auth.login", { email, password })));
  await step(
    "changePassword",
    t.call(
      "auth.changePassword",
      { currentPassword: password, newPassword: "a brand new passphrase" },
      bearer(refreshed.accessToken),
    ),
  );
  await step(
    "me after the other sessions ended",
    t.call("auth.me", undefined, bearer(third.accessToken)),
  );
  const fourth = tokens(
    await step(
      "login with the new password",
      t.call("auth.login", { email, password: "a brand new passphrase" }),
    ),
  );
  await step("logout", t.call("auth.logout", { refreshToken: fourth.refreshToken }));
  await step("logoutAll", t.call("auth.logoutAll", undefined, bearer(refreshed.accessToken)));
  await step("me after logoutAll", t.call("auth.me", undefined, bearer(refreshed.accessToken)));
  // The emailed links, minted here as the jobs app would mint them.
  const verifyToken = await linkToken(first.user.id, "verify_email");
  await step("verifyEmail", t.call("auth.verifyEmail", { token: verifyToken }));
  await step("verifyEmail again", t.call("auth.verifyEmail", { token: verifyToken }));
  await step("resendVerification", t.call("auth.resendVerification", { email }));
  await step("requestPasswordReset", t.call("auth.requestPasswordReset", { email }));
  const resetToken = await linkToken(first.user.id, "reset_password");
  const reset = { token: resetToken, newPassword: "the third passphrase" };
  await step("resetPassword", t.call("auth.resetPassword", reset));
  await step("resetPassword again", t.call("auth.resetPassword", reset));
  return log;
}

async function linkToken(userId: string, purpose: EmailTokenPurpose): Promise<string> {
  const issued = await issueEmailToken(server.deps.db, {
    secret: randomBytes(32),
    jobId: `email-${randomUUID()}`,
    userId,
    purpose,
    ttlSeconds: 3600,
    now: new Date(),
  });
  if (issued.kind !== "issued") throw new Error(`no ${purpose} token`);
  return issued.token;
}

describe("REST and tRPC parity", () => {
  it("every auth procedure gives the same results over /trpc and /api", async () => {
    const viaTrpc = await scenario(trpc, "parity-trpc@example.com");
    const viaRest = await scenario(rest, "parity-rest@example.com");
    const covered = new Set(viaTrpc.map(([label]) => `auth.${label.split(" ")[0] ?? ""}`));
    // The admin procedures' parity: admin-rest.integration.test.ts.
    for (const procedure of [...routes.keys()].filter((p) => p.startsWith("auth.")))
      expect(covered, `scenario misses ${procedure}`).toContain(procedure);

    expect(normalise(viaRest, "parity-rest@example.com")).toEqual(
      normalise(viaTrpc, "parity-trpc@example.com"),
    );
    // Spot checks that the scenario did what it says, on both sides.
    const outcomes = Object.fromEntries(viaRest);
    expect(outcomes["revokeSession again"]).toMatchObject({
      ok: false,
      status: 404,
      code: "NOT_FOUND",
    });
    expect(outcomes["refresh of the revoked session"]).toMatchObject({ ok: false, status: 401 });
    expect(outcomes["me after the other sessions ended"]).toMatchObject({ ok: false, status: 401 });
    expect(outcomes["me after logoutAll"]).toMatchObject({ ok: false, status: 401 });
    expect(outcomes.verifyEmail).toMatchObject({ ok: true, data: { ok: true } });
    expect(outcomes["verifyEmail again"]).toMatchObject({ ok: false, status: 400 });
    expect(outcomes.resetPassword).toMatchObject({ ok: true, data: { ok: true } });
    expect(outcomes["resetPassword again"]).toMatchObject({ ok: false, status: 400 });
    expect(outcomes.logoutAll).toMatchObject({ ok: true, data: { ok: true } });
  });

  describe("bad inputs give the same status, code, message and details", () => {
    let token = "";
    beforeAll(async () => {
      const credentials = {
        email: "parity-bad@example.com",
        password: "correct horse battery staple",
      };
      data(await trpc.call("auth.register", credentials));
      token = tokens(await trpc.call("auth.login", credentials)).accessToken;
    });

    const cases: [string, string, unknown, ((token: string) => Headers)?][] = [
      ["register: missing fields", "auth.register", {}],
      ["register: wrong types", "auth.register", { email: 42, password: true }],
      [
        "register: malformed email",
        "auth.register",
        { email: "not-an-email", password: "long enough password" },
      ],
      [
        "register: too-short password",
        "auth.register",
        { email: "short@example.com", password: "short" },
      ],
      ["login: missing fields", "auth.login", {}],
      ["login: wrong types", "auth.login", { email: ["a"], password: 1 }],
      [
        "login: wrong password",
        "auth.login",
        { email: "parity-bad@example.com", password: "wrong password" },
      ],
      [
        "login: unknown email",
        "auth.login",
        { email: "nobody@example.com", password: "wrong password" },
      ],
      ["refresh: missing token", "auth.refresh", {}],
      ["refresh: wrong type", "auth.refresh", { refreshToken: 123 }],
      ["refresh: unknown token", "auth.refresh", { refreshToken: "not-a-real-token" }],
      ["logout: missing token", "auth.logout", {}],
      ["me: no token", "auth.me", undefined],
      ["me: garbage token", "auth.me", undefined, () => ({ authorization: "Bearer garbage" })],
      [
        "me: not a bearer header",
        "auth.me",
        undefined,
        () => ({ authorization: "Basic YWRhOnB3" }),
      ],
      ["sessions: no token", "auth.sessions", undefined],
      ["logoutAll: no token", "auth.logoutAll", undefined],
      [
        "revokeSession: no token",
        "auth.revokeSession",
        { id: "00000000-0000-4000-8000-000000000000" },
      ],
      ["revokeSession: malformed uuid", "auth.revokeSession", { id: "not-a-uuid" }, bearer],
      [
        "revokeSession: unknown session",
        "auth.revokeSession",
        { id: "00000000-0000-4000-8000-000000000000" },
        bearer,
      ],
      [
        "changePassword: no token",
        "auth.changePassword",
        { currentPassword: "x", newPassword: "long enough password" },
      ],
      ["changePassword: missing fields", "auth.changePassword", {}, bearer],
      ["verifyEmail: missing token", "auth.verifyEmail", {}],
      ["verifyEmail: unknown token", "auth.verifyEmail", { token: "not-a-real-token" }],
      ["resendVerification: malformed email", "auth.resendVerification", { email: "nope" }],
      ["requestPasswordReset: missing email", "auth.requestPasswordReset", {}],
      [
        "resetPassword: too-short password",
        "auth.resetPassword",
        { token: "not-a-real-token", newPassword: "short" },
      ],
      [
        "resetPassword: unknown token",
        "auth.resetPassword",
        { token: "not-a-real-token", newPassword: "long enough password" },
      ],
      [
        "changePassword: too-short new password",
        "auth.changePassword",
        { currentPassword: "x", newPassword: "short" },
        bearer,
      ],
      [
        "changePassword: wrong current password",
        "auth.changePassword",
        { currentPassword: "wrong one", newPassword: "long enough password" },
        bearer,
      ],
    ];

    it.each(cases)("%s", async (_label, procedure, input, headers) => {
      const viaTrpc = await trpc.call(procedure, input, headers?.(token));
      const viaRest = await rest.call(procedure, input, headers?.(token));
      expect(viaTrpc.ok).toBe(false);
      expect(viaRest).toEqual(viaTrpc);
    });

    it("names every bad field in the REST message, as tRPC does", async () => {
      const outcome = await rest.call("auth.register", {
        email: "not-an-email",
        password: "short",
      });
      expect(outcome).toMatchObject({ status: 400, code: "BAD_REQUEST" });
      if (outcome.ok) return;
      expect(outcome.message).toMatch(/^Invalid input: /);
      expect(outcome.message).toContain("email: must be a valid email address");
      expect(outcome.message).toContain("password: must be at least");
      expect(outcome.details?.map((d) => d.path)).toEqual(["email", "password"]);
    });
  });
});

describe("the REST edge", () => {
  async function restError(res: {
    statusCode: number;
    headers: Record<string, unknown>;
    json: () => unknown;
  }) {
    const { error } = ZErrorResponseSchema.parse(res.json());
    expect(error.requestId).toBe(res.headers["x-request-id"]);
    return error;
  }

  it("answers an unknown /api route with the standard 404, like any unknown route", async () => {
    for (const url of ["/api/nope", "/api/auth/nope?x=1", "/api"]) {
      const res = await server.app.inject({ method: "GET", url });
      expect(res.statusCode, url).toBe(404);
      const error = await restError(res);
      expect(error).toMatchObject({
        code: "NOT_FOUND",
        message: "No route for GET at this path",
      });
    }
    // A known path with the wrong method is no route either.
    const res = await server.app.inject({ method: "GET", url: "/api/auth/login" });
    expect(res.statusCode).toBe(404);
    expect(await restError(res)).toMatchObject({ message: "No route for GET at this path" });
  });

  it("answers malformed JSON and a non-JSON body with the standard shape", async () => {
    const malformed = await server.app.inject({
      method: "POST",
      url: "/api/auth/login",
      headers: { "content-type": "application/json" },
      payload: '{"email": ',
    });
    expect(malformed.statusCode).toBe(400);
    expect(await restError(malformed)).toMatchObject({ code: "BAD_REQUEST" });

    const text = await server.app.inject({
      method: "POST",
      url: "/api/auth/login",
      headers: { "content-type": "text/plain" },
      payload: "hello",
    });
    expect(text.statusCode).toBe(415);
    expect(await restError(text)).toMatchObject({
      code: "UNSUPPORTED_MEDIA_TYPE",
      message: "Content-Type must be application/json",
    });
  });

  it("refuses HEAD with the standard body instead of the bridge's blank 204", async () => {
    for (const url of ["/api/auth/me", "/api/nope"]) {
      const res = await server.app.inject({ method: "HEAD", url });
      expect(res.statusCode, url).toBe(405);
    }
  });

  it("takes a POST without a body as 'no input' (curl -X POST, Swagger UI)", async () => {
    const res = await server.app.inject({ method: "POST", url: "/api/auth/logout-all" });
    expect(res.statusCode).toBe(401);
    expect(await restError(res)).toMatchObject({ code: "UNAUTHORIZED" });
    const register = await server.app.inject({ method: "POST", url: "/api/auth/register" });
    expect(register.statusCode).toBe(400);
    expect((await restError(register)).details?.map((d) => d.path)).toEqual(["email", "password"]);
  });

  it("applies the edge's CORS allow-list and security headers to /api as to /trpc", async () => {
    for (const url of ["/api/auth/login", "/trpc/auth.login"]) {
      const res = await server.app.inject({
        method: "OPTIONS",
        url,
        headers: { origin: "http://localhost:5173", "access-control-request-method": "POST" },
      });
      expect(res.statusCode, url).toBe(204);
    }
    const res = await server.app.inject({ method: "GET", url: "/api/auth/me" });
    expect(res.headers["content-security-policy"]).toContain("default-src 'none'");
    expect(res.headers["x-content-type-options"]).toBe("nosniff");
  });
});

describe("the request log", () => {
  it("names the real /api path and the signed-in user of a REST request", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "lifeline-rest-logs-"));
    const logger = createLogger({ name: "server", level: "info", logDir: dir, console: false });
    const logged = await startTestServer({ databaseUrl: inject("databaseUrl"), logger });
    try {
      const credentials = {
        email: "rest-log@example.com",
        password: "correct horse battery staple",
      };
      await logged.app.inject({ method: "POST", url: "/api/auth/register", payload: credentials });
      const login = await logged.app.inject({
        method: "POST",
        url: "/api/auth/login",
        payload: credentials,
      });
      const { accessToken, user } = login.json<{ accessToken: string; user: { id: string } }>();
      const me = await logged.app.inject({
        method: "GET",
        url: "/api/auth/me?probe=1",
        headers: { authorization: `Bearer ${accessToken}` },
      });
      expect(me.statusCode).toBe(200);
      await new Promise<void>((resolve) => {
        logger.flush(() => {
          resolve();
        });
      });
      await new Promise((r) => setTimeout(r, 100));
      const lines = readFileSync(path.join(dir, "combined.log"), "utf8")
        .trim()
        .split("\n")
        .map((line) => JSON.parse(line) as Record<string, unknown>)
        .filter((line) => line.msg === "request");
      const meLine = lines.find((line) => line.requestId === me.headers["x-request-id"]);
      expect(meLine).toMatchObject({
        method: "GET",
        path: "/api/auth/me",
        status: 200,
        userId: user.id,
      });
    } finally {
      await logged.close();
    }
  });
});

describe("rate limits", () => {
  it("counts /trpc and /api against the same credential limit, and refuse alike", async () => {
    const limited = await startTestServer({
      databaseUrl: inject("databaseUrl"),
      env: { RATE_LIMIT_AUTH_MAX: "3" },
    });
    try {
      const credentials = {
        email: "limited@example.com",
        password: "correct horse battery staple",
      };
      const viaTrpc = (procedure: string) =>
        limited.app.inject({ method: "POST", url: `/trpc/${procedure}`, payload: credentials });
      const viaRest = (route: string) =>
        limited.app.inject({ method: "POST", url: `/api/${route}`, payload: credentials });

      expect((await viaTrpc("auth.register")).statusCode).toBe(200);
      const first = await viaRest("auth/login");
      expect(first.statusCode).toBe(200);
      expect(first.headers["ratelimit-limit"]).toBe("3");
      expect(first.headers["ratelimit-remaining"]).toBe("1");
      expect((await viaTrpc("auth.login")).statusCode).toBe(200);

      const refusedRest = await viaRest("auth/login");
      const refusedTrpc = await viaTrpc("auth.login");
      expect(refusedRest.statusCode).toBe(429);
      expect(refusedTrpc.statusCode).toBe(429);
      expect(Number(refusedRest.headers["retry-after"])).toBeGreaterThan(0);
      const { error } = ZErrorResponseSchema.parse(refusedRest.json());
      const trpcError = refusedTrpc.json<{ error: { message: string; data: { code: string } } }>()
        .error;
      expect(error.code).toBe("TOO_MANY_REQUESTS");
      expect(trpcError.data.code).toBe("TOO_MANY_REQUESTS");
      // The same words; the seconds left may tick over between the two calls.
      const withoutSeconds = (message: string) => message.replace(/\d+ seconds/, "N seconds");
      expect(withoutSeconds(error.message)).toBe(withoutSeconds(trpcError.message));
      expect(error.message).toMatch(/^Too many attempts; retry in \d+ seconds$/);
      expect(error.requestId).toBe(refusedRest.headers["x-request-id"]);
    } finally {
      await limited.close();
    }
  });

  it("counts /trpc and /api against the same global limit", async () => {
    const limited = await startTestServer({
      databaseUrl: inject("databaseUrl"),
      env: { RATE_LIMIT_GLOBAL_MAX: "2" },
    });
    try {
      expect((await limited.app.inject({ method: "GET", url: "/api/auth/me" })).statusCode).toBe(
        401,
      );
      expect((await limited.app.inject({ method: "GET", url: "/trpc/auth.me" })).statusCode).toBe(
        401,
      );
      const refused = await limited.app.inject({ method: "GET", url: "/api/auth/me" });
      expect(refused.statusCode).toBe(429);
      expect(ZErrorResponseSchema.parse(refused.json()).error.code).toBe("TOO_MANY_REQUESTS");
      expect((await limited.app.inject({ method: "GET", url: "/trpc/auth.me" })).statusCode).toBe(
        429,
      );
    } finally {
      await limited.close();
    }
  });
});
