import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

import { ZErrorResponseSchema } from "@lifeline/api";
import { jobsEnvSchema, parseEnv } from "@lifeline/env";
import {
  startJobsApp,
  startTestSmtpServer,
  type JobsApp,
  type ReceivedEmail,
  type TestSmtpServer,
} from "@lifeline/jobs/testing";
import { createLogger, type Logger } from "@lifeline/logger";
import type { FastifyInstance, LightMyRequestResponse } from "fastify";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";

import { startTestServer, type TestServer } from "@lifeline/server/testing";
import { LEAK } from "@lifeline/vitest-config";

/**
 * The account flows end to end: the API enqueues, the jobs app (in this process, on the same
 * database and Redis prefix) mints the link and sends it to a real SMTP server (also in this
 * process), and the link is used through the API. Two servers share the jobs app: one as
 * deployed by default, one with REQUIRE_VERIFIED_EMAIL.
 */

const PASSWORD = "correct horse battery";
const NEW_PASSWORD = "a brand new passphrase";
const FRONTEND_URL = "https://app.example.test";
const THRESHOLD = 3;

let smtp: TestSmtpServer;
let server: TestServer;
let strict: TestServer;
let jobs: JobsApp;
const logDir = mkdtempSync(path.join(tmpdir(), "lifeline-flows-"));
const loggers: Logger[] = [];
/** Every token a test saw in an email: none may turn up in Redis or a log. */
const seenTokens: string[] = [];

const fileLogger = (name: string) => {
  const logger = createLogger({
    name,
    level: "info",
    logDir: path.join(logDir, name),
    console: false,
  });
  loggers.push(logger);
  return logger;
};

beforeAll(async () => {
  smtp = await startTestSmtpServer();
  // One prefix for the servers and the jobs app, as one deployment's processes share it.
  const shared = {
    REDIS_URL: inject("redisUrl"),
    REDIS_KEY_PREFIX: `${inject("redisKeyPrefix")}flows-${randomBytes(4).toString("hex")}:`,
    FRONTEND_URL,
  };
  const serverEnv = { ...shared, LOGIN_LOCKOUT_THRESHOLD: String(THRESHOLD) };
  const logger = fileLogger("server");
  server = await startTestServer({ databaseUrl: inject("databaseUrl"), env: serverEnv, logger });
  strict = await startTestServer({
    databaseUrl: inject("databaseUrl"),
    env: { ...serverEnv, REQUIRE_VERIFIED_EMAIL: "true" },
    logger,
  });
  jobs = await startJobsApp({
    env: parseEnv(jobsEnvSchema, {
      ...shared,
      NODE_ENV: "test",
      DATABASE_URL: inject("databaseUrl"),
      SMTP_URL: smtp.url,
    }),
    logger: fileLogger("jobs"),
    schedules: [],
  });
});

afterAll(async () => {
  for (const step of jobs.shutdownSteps) await step.close();
  await Promise.all([server.close(), strict.close(), smtp.close()]);
});

let sequence = 0;
const uniqueEmail = (label: string) =>
  `${label}-${Date.now().toString(36)}-${++sequence}@example.com`;

function post(
  app: FastifyInstance,
  route: string,
  body: unknown,
  options: { ip?: string; token?: string } = {},
): Promise<LightMyRequestResponse> {
  return app.inject({
    method: "POST",
    url: `/api/auth/${route}`,
    headers: {
      "content-type": "application/json",
      ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
    },
    remoteAddress: options.ip ?? "198.51.100.20",
    payload: JSON.stringify(body),
  });
}

const errorOf = (res: LightMyRequestResponse) => ZErrorResponseSchema.parse(res.json()).error;

interface Pair {
  accessToken: string;
  refreshToken: string;
  user: { emailVerified: boolean };
}

async function login(app: FastifyInstance, email: string, password = PASSWORD, ip?: string) {
  return post(app, "login", { email, password }, ip ? { ip } : {});
}

/** The next email to `to` whose subject matches, and the token of its link (if any). */
async function mailTo(to: string, subject: RegExp) {
  const email = await smtp.waitFor((m) => m.to.includes(to) && subject.test(m.subject));
  const token = /\?token=([A-Za-z0-9_-]+)/.exec(email.text)?.[1];
  if (token) seenTokens.push(token);
  return { email, token };
}

const sentTo = (to: string): ReceivedEmail[] => smtp.received.filter((m) => m.to.includes(to));

describe("registration", () => {
  it("sends the verification email, and its link verifies the address exactly once", async () => {
    const email = uniqueEmail("ada");
    const registered = await post(server.app, "register", { email, password: PASSWORD });
    expect(registered.statusCode).toBe(200);
    expect(registered.json()).toEqual({ ok: true, message: expect.stringContaining("inbox") });

    const { email: mail, token } = await mailTo(email, /^Verify your email address$/);
    expect(mail.text).toContain(`${FRONTEND_URL}/verify-email?token=`);
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);

    // Unverified, and signing in works and says so.
    const before = await login(server.app, email);
    expect(before.statusCode).toBe(200);
    expect(before.json<Pair>().user.emailVerified).toBe(false);

    const verified = await post(server.app, "verify-email", { token });
    expect(verified.statusCode).toBe(200);
    expect(verified.json()).toEqual({ ok: true });
    expect((await login(server.app, email)).json<Pair>().user.emailVerified).toBe(true);

    const again = await post(server.app, "verify-email", { token });
    expect(again.statusCode).toBe(400);
    expect(errorOf(again)).toMatchObject({
      code: "BAD_REQUEST",
      details: [{ path: "token", message: "invalid, expired or already used" }],
    });
  });

  it("answers an existing email exactly like a new one, and mails the owner instead", async () => {
    const owner = uniqueEmail("owner");
    const first = await post(server.app, "register", { email: owner, password: PASSWORD });
    await mailTo(owner, /^Verify/);

    const fresh = await post(server.app, "register", {
      email: uniqueEmail("fresh"),
      password: PASSWORD,
    });
    const taken = await post(server.app, "register", {
      email: owner.toUpperCase(),
      password: "someone else's password",
    });
    for (const res of [fresh, taken]) {
      expect(res.statusCode).toBe(first.statusCode);
      expect(res.body).toBe(first.body);
    }
    const { email: warning, token } = await mailTo(owner, /^Someone tried to sign up/);
    expect(token).toBeUndefined();
    expect(warning.text).toMatch(/reset/i);
    // The owner's password still works: nothing changed.
    expect((await login(server.app, owner)).statusCode).toBe(200);
  });
});

describe("password reset", () => {
  it("end to end: locked out, reset by email, every session ended, the lockout cleared; the link works once", async () => {
    const email = uniqueEmail("reset");
    const ip = "198.51.100.77";
    await post(server.app, "register", { email, password: PASSWORD });
    await mailTo(email, /^Verify/);
    const sessions = [
      (await login(server.app, email)).json<Pair>(),
      (await login(server.app, email)).json<Pair>(),
    ];

    // Wrong passwords lock this client out, and the owner hears about it (once).
    for (let i = 0; i < THRESHOLD; i++) {
      expect((await login(server.app, email, "wrong password", ip)).statusCode).toBe(401);
    }
    expect((await login(server.app, email, PASSWORD, ip)).statusCode).toBe(429);
    await mailTo(email, /^Repeated failed sign-ins/);

    const requested = await post(server.app, "request-password-reset", { email }, { ip });
    expect(requested.statusCode).toBe(200);
    const unknown = await post(
      server.app,
      "request-password-reset",
      { email: uniqueEmail("nobody") },
      { ip },
    );
    expect(unknown.body).toBe(requested.body);
    const { email: mail, token } = await mailTo(email, /^Reset your Lifeline password$/);
    expect(mail.text).toContain(`${FRONTEND_URL}/reset-password?token=`);
    expect(mail.text).toContain("works once, for 1 hour");

    const wrong = await post(server.app, "reset-password", {
      token: randomBytes(32).toString("base64url"),
      newPassword: NEW_PASSWORD,
    });
    expect(wrong.statusCode).toBe(400);

    const reset = await post(
      server.app,
      "reset-password",
      { token, newPassword: NEW_PASSWORD },
      { ip },
    );
    expect(reset.statusCode).toBe(200);
    expect(reset.json()).toEqual({ ok: true, revokedSessions: 2 });

    for (const pair of sessions) {
      const me = await server.app.inject({
        method: "GET",
        url: "/api/auth/me",
        headers: { authorization: `Bearer ${pair.accessToken}` },
      });
      expect(me.statusCode).toBe(401);
      expect(errorOf(me).reason).toBe("session_ended");
      expect(
        (await post(server.app, "refresh", { refreshToken: pair.refreshToken })).statusCode,
      ).toBe(401);
    }
    // The lockout is gone: the locked client signs in with the new password at once.
    expect((await login(server.app, email, PASSWORD, ip)).statusCode).toBe(401);
    expect((await login(server.app, email, NEW_PASSWORD, ip)).statusCode).toBe(200);

    const reused = await post(server.app, "reset-password", {
      token,
      newPassword: "yet another passphrase",
    });
    expect(reused.statusCode).toBe(400);
    expect(errorOf(reused).details).toEqual([
      { path: "token", message: "invalid, expired or already used" },
    ]);
    expect(sentTo(email).filter((m) => /failed sign-ins/.test(m.subject))).toHaveLength(1);
  });

  it("refuses a link past its hour", async () => {
    const email = uniqueEmail("late");
    await post(server.app, "register", { email, password: PASSWORD });
    await post(server.app, "request-password-reset", { email });
    const { token } = await mailTo(email, /^Reset/);
    const realNow = server.deps.now;
    server.deps.now = () => new Date(Date.now() + 3601_000);
    try {
      const late = await post(server.app, "reset-password", { token, newPassword: NEW_PASSWORD });
      expect(late.statusCode).toBe(400);
    } finally {
      server.deps.now = realNow;
    }
    expect((await login(server.app, email)).statusCode).toBe(200);
  });
});

describe("REQUIRE_VERIFIED_EMAIL=true", () => {
  it("refuses an unverified account with 403 email_unverified, and signs it in once verified", async () => {
    const email = uniqueEmail("strict");
    await post(strict.app, "register", { email, password: PASSWORD });
    const wrong = await login(strict.app, email, "wrong password");
    expect(wrong.statusCode).toBe(401);
    const refused = await login(strict.app, email);
    expect(refused.statusCode).toBe(403);
    expect(errorOf(refused)).toMatchObject({ code: "FORBIDDEN", reason: "email_unverified" });

    // The first link is lost; a resend brings another, which works.
    await mailTo(email, /^Verify/);
    const resent = await post(strict.app, "resend-verification", { email });
    expect(resent.statusCode).toBe(200);
    await smtp.waitFor((m) => m.to.includes(email) && sentTo(email).length >= 2);
    const second = sentTo(email).at(-1);
    const token = /\?token=([A-Za-z0-9_-]+)/.exec(second?.text ?? "")?.[1] ?? "";
    seenTokens.push(token);
    expect((await post(strict.app, "verify-email", { token })).statusCode).toBe(200);
    expect((await login(strict.app, email)).statusCode).toBe(200);
  });
});

describe("bad inputs", () => {
  it.each([
    ["verify-email", {}, "token"],
    ["verify-email", { token: "x".repeat(129) }, "token"],
    ["resend-verification", { email: "not-an-email" }, "email"],
    ["request-password-reset", { email: "not-an-email" }, "email"],
    ["request-password-reset", {}, "email"],
    ["reset-password", { token: "x".repeat(43), newPassword: "short" }, "newPassword"],
    ["reset-password", { newPassword: NEW_PASSWORD }, "token"],
  ])("POST /auth/%s %j is a 400 naming %s", async (route, body, field) => {
    const res = await post(server.app, route, body);
    expect(res.statusCode).toBe(400);
    const error = errorOf(res);
    expect(error.code).toBe("BAD_REQUEST");
    expect(error.details?.map((d) => d.path)).toEqual([field]);
    expect(error.message).toContain(`${field}: `);
    expect(res.body).not.toMatch(LEAK);
  });
});

describe("secrets", () => {
  it("no token sent by email is in Redis (job payloads, results) or in any log line", async () => {
    expect(seenTokens.length).toBeGreaterThanOrEqual(4);
    const redis = jobs.dependencies.redis;
    const prefix = server.env.REDIS_KEY_PREFIX;
    const keys = await redis.keys(`${prefix}bull:email:*`);
    const dump: unknown[] = [];
    for (const key of keys) {
      if ((await redis.type(key)) === "hash") dump.push(await redis.hgetall(key));
    }
    const stored = JSON.stringify(dump);
    // The dump holds the jobs (the addresses they went to), so it was read.
    expect(stored).toContain("verify-email");
    await Promise.all(
      loggers.map((logger) => new Promise<void>((resolve) => logger.flush(() => resolve()))),
    );
    await new Promise((resolve) => setTimeout(resolve, 100));
    const logs = ["server", "jobs"]
      .map((name) => readFileSync(path.join(logDir, name, "combined.log"), "utf8"))
      .join("\n");
    expect(logs).toContain("email sent");
    for (const token of seenTokens) {
      expect(stored).not.toContain(token);
      expect(logs).not.toContain(token);
    }
  });
});
