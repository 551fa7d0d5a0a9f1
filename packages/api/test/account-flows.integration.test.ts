import { randomBytes, randomUUID } from "node:crypto";

import { issueEmailToken, type AppError, type EmailTokenPurpose } from "@lifeline/core";
import type { EmailJob } from "@lifeline/queue";
import type { ZodError } from "zod";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";

import { emailKey } from "../src/rate-limit/email-key";
import { createHarness, expectTRPCError, uniqueEmail, uniqueIp, type Harness } from "./harness";

/**
 * The account flows through the API: what each procedure answers, what it changes, and
 * which email job it enqueues (the jobs app, tested elsewhere, sends them). Tokens are
 * minted here as the jobs app would, with core's issueEmailToken.
 */

const PASSWORD = "correct horse battery";
const NEW_PASSWORD = "a brand new passphrase";

let h: Harness;
beforeAll(async () => {
  h = await createHarness({
    rateLimits: {
      lockout: {
        threshold: 2,
        baseSeconds: 60,
        maxSeconds: 600,
        accountMaxFailures: 1000,
        accountWindowSeconds: 3600,
      },
    },
  });
});
afterEach(() => h.setNow(null));
afterAll(() => h.close());

async function emailJobs(harness = h): Promise<{ id: string; data: EmailJob }[]> {
  const jobs = await harness.deps.jobs.queue("email").getJobs(["waiting", "delayed"]);
  return jobs.map((job) => ({ id: job.id ?? "", data: job.data as EmailJob }));
}

const jobsFor = async (userId: string, harness = h) =>
  (await emailJobs(harness)).filter((j) => "userId" in j.data && j.data.userId === userId);

async function signUp(label: string, harness = h) {
  const email = uniqueEmail(label);
  await (await harness.caller()).auth.register({ email, password: PASSWORD });
  const user = await harness.db.user.findUniqueOrThrow({ where: { email } });
  return { email, userId: user.id };
}

/** A link token for `userId`, as the email job would mint it. */
async function linkToken(userId: string, purpose: EmailTokenPurpose, ttlSeconds = 3600) {
  const issued = await issueEmailToken(h.db, {
    secret: randomBytes(32),
    jobId: `email-${randomUUID()}`,
    userId,
    purpose,
    ttlSeconds,
    now: new Date(),
  });
  if (issued.kind !== "issued") throw new Error(`no token: ${issued.kind}`);
  return issued.token;
}

const badFields = (error: { cause?: unknown }) =>
  [...new Set((error.cause as ZodError).issues.map((i) => i.path.join(".")))].sort();

describe("register", () => {
  it("gives a new and a taken address the same answer, and mails each the right thing", async () => {
    const anon = await h.caller();
    const taken = await signUp("taken");
    const fresh = uniqueEmail("fresh");

    const forFresh = await anon.auth.register({ email: fresh, password: PASSWORD });
    const forTaken = await anon.auth.register({ email: taken.email, password: "whatever it is" });
    expect(forTaken).toEqual(forFresh);
    expect(forFresh).toMatchObject({ ok: true });

    const freshUser = await h.db.user.findUniqueOrThrow({ where: { email: fresh } });
    expect((await jobsFor(freshUser.id)).map((j) => j.data.template)).toEqual(["verify-email"]);
    // The owner of the taken address: first their own verification, then the warning.
    expect((await jobsFor(taken.userId)).map((j) => j.data.template).sort()).toEqual([
      "registration-attempt",
      "verify-email",
    ]);
    const attempts = await h.db.auditEvent.count({
      where: { type: "registration_attempt", userId: taken.userId },
    });
    expect(attempts).toBe(1);
    // Every request is a job of its own, with a random id (its link derives from it).
    for (const job of await jobsFor(taken.userId)) expect(job.id).toMatch(/^email-[0-9a-f-]{36}$/);
  });

  it("takes about as long for a taken address as for a new one (both pay for a hash)", async () => {
    // Cost 10: one hash takes tens of milliseconds, far above the query noise.
    const slow = await createHarness({ bcryptCost: 10 });
    try {
      const taken = await signUp("timed", slow);
      const time = async (email: string) => {
        const started = performance.now();
        await (await slow.caller()).auth.register({ email, password: PASSWORD });
        return performance.now() - started;
      };
      await time(uniqueEmail("warmup"));
      const fresh: number[] = [];
      const existing: number[] = [];
      for (let i = 0; i < 4; i++) {
        fresh.push(await time(uniqueEmail("new")));
        existing.push(await time(taken.email));
      }
      const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
      const ratio = mean(existing) / mean(fresh);
      expect(ratio).toBeGreaterThan(0.5);
      expect(ratio).toBeLessThan(2);
    } finally {
      await slow.close();
    }
  });
});

describe("verifyEmail", () => {
  it("verifies the address once: the same link again is refused", async () => {
    const { email, userId } = await signUp("verify");
    const token = await linkToken(userId, "verify_email");
    const anon = await h.caller();
    await expect(anon.auth.verifyEmail({ token })).resolves.toEqual({ ok: true });

    const pair = await anon.auth.login({ email, password: PASSWORD });
    expect(pair.user.emailVerified).toBe(true);
    expect(pair.user.emailVerifiedAt).not.toBeNull();
    expect(await h.db.auditEvent.count({ where: { type: "email_verified", userId } })).toBe(1);

    const again = await expectTRPCError(anon.auth.verifyEmail({ token }), "BAD_REQUEST");
    expect(again.message).toMatch(/invalid, has expired or was already used/);
    expect((again.cause as AppError).details).toEqual([
      { path: "token", message: "invalid, expired or already used" },
    ]);
  });

  it("refuses an expired link, a reset link and a made-up one with the same answer", async () => {
    const { userId } = await signUp("verify-bad");
    const expired = await linkToken(userId, "verify_email", 60);
    const resetLink = await linkToken(userId, "reset_password");
    const anon = await h.caller();
    h.setNow(new Date(Date.now() + 61_000));
    const messages: string[] = [];
    for (const token of [expired, resetLink, randomBytes(32).toString("base64url")]) {
      messages.push(
        (await expectTRPCError(anon.auth.verifyEmail({ token }), "BAD_REQUEST")).message,
      );
    }
    expect(new Set(messages).size).toBe(1);
    const user = await h.db.user.findUniqueOrThrow({ where: { id: userId } });
    expect(user.emailVerifiedAt).toBeNull();
  });

  it.each([
    ["a missing token", {}],
    ["an empty token", { token: "" }],
    ["an overlong token", { token: "x".repeat(129) }],
    ["a token of the wrong type", { token: 42 }],
  ])("answers %s with BAD_REQUEST naming the field", async (_label, input) => {
    const error = await expectTRPCError(
      (await h.caller()).auth.verifyEmail(input as never),
      "BAD_REQUEST",
    );
    expect(badFields(error)).toEqual(["token"]);
  });
});

describe("resendVerification", () => {
  it("answers the same for an unverified, a verified and an unknown address; only the first is mailed", async () => {
    const unverified = await signUp("resend");
    const verified = await signUp("resend-done");
    await (
      await h.caller()
    ).auth.verifyEmail({
      token: await linkToken(verified.userId, "verify_email"),
    });
    const anon = await h.caller();
    const answers = [
      await anon.auth.resendVerification({ email: unverified.email.toUpperCase() }),
      await anon.auth.resendVerification({ email: verified.email }),
      await anon.auth.resendVerification({ email: uniqueEmail("nobody") }),
    ];
    expect(answers[1]).toEqual(answers[0]);
    expect(answers[2]).toEqual(answers[0]);
    // Registration queued one verification email each; only the unverified one got another.
    expect((await jobsFor(unverified.userId)).map((j) => j.data.template)).toEqual([
      "verify-email",
      "verify-email",
    ]);
    expect((await jobsFor(verified.userId)).map((j) => j.data.template)).toEqual(["verify-email"]);
  });

  it.each([
    ["a malformed email", { email: "not-an-email" }],
    ["a missing email", {}],
    ["an overlong email", { email: `${"a".repeat(250)}@example.com` }],
  ])("answers %s with BAD_REQUEST naming the field", async (_label, input) => {
    const error = await expectTRPCError(
      (await h.caller()).auth.resendVerification(input as never),
      "BAD_REQUEST",
    );
    expect(badFields(error)).toEqual(["email"]);
  });
});

describe("requestPasswordReset", () => {
  it("answers the same for a known and an unknown address, and leaves the lookup to the job", async () => {
    const { email } = await signUp("forgot");
    const unknown = uniqueEmail("nobody");
    const anon = await h.caller();
    const known = await anon.auth.requestPasswordReset({ email: email.toUpperCase() });
    const notKnown = await anon.auth.requestPasswordReset({ email: unknown });
    expect(notKnown).toEqual(known);
    const resets = (await emailJobs()).filter((j) => j.data.template === "password-reset");
    // Both enqueued, with the address normalised; the jobs app decides who gets a mail.
    expect(resets.map((j) => j.data)).toEqual(
      expect.arrayContaining([
        { template: "password-reset", email },
        { template: "password-reset", email: unknown },
      ]),
    );
  });

  it("answers a malformed email with BAD_REQUEST naming the field", async () => {
    const error = await expectTRPCError(
      (await h.caller()).auth.requestPasswordReset({ email: "nope" }),
      "BAD_REQUEST",
    );
    expect(badFields(error)).toEqual(["email"]);
  });
});

describe("resetPassword", () => {
  it("sets the password, ends every session, verifies the address, and the link works once", async () => {
    const { email, userId } = await signUp("reset");
    const anon = await h.caller();
    const sessions = [
      await anon.auth.login({ email, password: PASSWORD }),
      await anon.auth.login({ email, password: PASSWORD }),
    ];
    const token = await linkToken(userId, "reset_password");
    const otherLink = await linkToken(userId, "reset_password");

    await expect(anon.auth.resetPassword({ token, newPassword: NEW_PASSWORD })).resolves.toEqual({
      ok: true,
      revokedSessions: 2,
    });
    for (const pair of sessions) {
      const refused = await expectTRPCError(
        (await h.caller(pair.accessToken)).auth.me(),
        "UNAUTHORIZED",
      );
      expect((refused.cause as AppError).reason).toBe("session_ended");
      await expectTRPCError(anon.auth.refresh({ refreshToken: pair.refreshToken }), "UNAUTHORIZED");
    }
    await expectTRPCError(anon.auth.login({ email, password: PASSWORD }), "UNAUTHORIZED");
    const pair = await anon.auth.login({ email, password: NEW_PASSWORD });
    expect(pair.user.emailVerified).toBe(true);

    // The same link again, and any other reset link sent before, are dead.
    for (const used of [token, otherLink]) {
      await expectTRPCError(
        anon.auth.resetPassword({ token: used, newPassword: "yet another passphrase" }),
        "BAD_REQUEST",
      );
    }
    const audited = await h.db.auditEvent.findMany({ where: { type: "password_reset", userId } });
    expect(audited.map((a) => a.data)).toEqual([{ revokedSessions: 2 }]);
  });

  it("refuses an expired, a verification and a made-up token, changing nothing", async () => {
    const { email, userId } = await signUp("reset-bad");
    const expired = await linkToken(userId, "reset_password", 60);
    const verifyLink = await linkToken(userId, "verify_email");
    h.setNow(new Date(Date.now() + 61_000));
    const anon = await h.caller();
    for (const token of [expired, verifyLink, randomBytes(32).toString("base64url")]) {
      const error = await expectTRPCError(
        anon.auth.resetPassword({ token, newPassword: NEW_PASSWORD }),
        "BAD_REQUEST",
      );
      expect((error.cause as AppError).details).toEqual([
        { path: "token", message: "invalid, expired or already used" },
      ]);
    }
    h.setNow(null);
    await expect(anon.auth.login({ email, password: PASSWORD })).resolves.toBeTruthy();
  });

  it("lets only one of two concurrent uses of a link through", async () => {
    const { userId } = await signUp("reset-race");
    const token = await linkToken(userId, "reset_password");
    const anon = await h.caller();
    const results = await Promise.allSettled([
      anon.auth.resetPassword({ token, newPassword: "first new passphrase" }),
      anon.auth.resetPassword({ token, newPassword: "second new passphrase" }),
    ]);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
  });

  it("works on a locked-out account and clears the lockout", async () => {
    const { email, userId } = await signUp("reset-locked");
    const ip = uniqueIp();
    const fail = async () =>
      (await h.caller(undefined, { ip })).auth.login({ email, password: "wrong password" });
    await expectTRPCError(fail(), "UNAUTHORIZED");
    await expectTRPCError(fail(), "UNAUTHORIZED");
    // Locked (threshold 2): the right password is refused too.
    await expectTRPCError(
      (await h.caller(undefined, { ip })).auth.login({ email, password: PASSWORD }),
      "TOO_MANY_REQUESTS",
    );

    const token = await linkToken(userId, "reset_password");
    await (
      await h.caller(undefined, { ip })
    ).auth.resetPassword({ token, newPassword: NEW_PASSWORD });
    const keys = await h.redis.keys(`${h.redisKeyPrefix}lockout:${emailKey(email)}:*`);
    expect(keys).toEqual([]);
    await expect(
      (await h.caller(undefined, { ip })).auth.login({ email, password: NEW_PASSWORD }),
    ).resolves.toBeTruthy();
  });

  it.each([
    ["a short password", { newPassword: "short" }, ["newPassword"]],
    ["an overlong password", { newPassword: "x".repeat(73) }, ["newPassword"]],
    ["a missing token", { token: undefined }, ["token"]],
    ["an overlong token", { token: "x".repeat(129) }, ["token"]],
    ["nothing at all", { token: undefined, newPassword: undefined }, ["newPassword", "token"]],
  ])("answers %s with BAD_REQUEST naming the field", async (_label, change, fields) => {
    const input = { token: "x".repeat(43), newPassword: NEW_PASSWORD, ...change };
    const error = await expectTRPCError(
      (await h.caller()).auth.resetPassword(input as never),
      "BAD_REQUEST",
    );
    expect(badFields(error)).toEqual(fields);
  });
});

describe("REQUIRE_VERIFIED_EMAIL", () => {
  let strict: Harness;
  beforeAll(async () => {
    strict = await createHarness({ requireVerifiedEmail: true });
  });
  afterAll(() => strict.close());

  it("refuses an unverified account with FORBIDDEN email_unverified, only after the password", async () => {
    const { email } = await signUp("strict", strict);
    const anon = await strict.caller();
    const wrong = await expectTRPCError(
      anon.auth.login({ email, password: "wrong password" }),
      "UNAUTHORIZED",
    );
    expect((wrong.cause as AppError).reason).toBe("credentials_invalid");
    const unverified = await expectTRPCError(
      anon.auth.login({ email, password: PASSWORD }),
      "FORBIDDEN",
    );
    expect((unverified.cause as AppError).reason).toBe("email_unverified");
    expect(await strict.db.session.count({ where: { user: { email } } })).toBe(0);
  });

  it("signs a verified account in", async () => {
    const { email, userId } = await signUp("strict-ok", strict);
    await strict.db.user.update({ where: { id: userId }, data: { emailVerifiedAt: new Date() } });
    const pair = await (await strict.caller()).auth.login({ email, password: PASSWORD });
    expect(pair.user.emailVerified).toBe(true);
  });
});

describe("failed sign-ins email", () => {
  const waitForJob = async (userId: string) => {
    for (let i = 0; i < 50; i++) {
      const found = (await jobsFor(userId)).filter((j) => j.data.template === "failed-sign-ins");
      if (found.length) return found;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return [];
  };

  it("is enqueued when failures lock the account, at most once an hour", async () => {
    const { email, userId } = await signUp("guessed");
    const failFrom = async (ip: string) =>
      expectTRPCError(
        (await h.caller(undefined, { ip })).auth.login({ email, password: "wrong password" }),
        "UNAUTHORIZED",
      );
    const first = uniqueIp();
    await failFrom(first);
    expect(await waitForJob(userId)).toEqual([]); // below the threshold: no mail
    await failFrom(first); // locks this client out
    expect(await waitForJob(userId)).toHaveLength(1);

    // A second client locked out within the hour: no second mail.
    const second = uniqueIp();
    await failFrom(second);
    await failFrom(second);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await waitForJob(userId)).toHaveLength(1);
    const key = `${h.redisKeyPrefix}ratelimit:failed-sign-ins-email:${emailKey(email)}`;
    const ttl = await h.redis.ttl(key);
    expect(ttl).toBeGreaterThan(3500);
    expect(ttl).toBeLessThanOrEqual(3600);
  });
});
