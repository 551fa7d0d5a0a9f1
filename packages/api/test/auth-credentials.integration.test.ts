import type { AppError } from "@lifeline/core";
import { ZodError } from "zod";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { createHarness, expectTRPCError, uniqueEmail, type Harness } from "./harness";

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(() => h.close());

const PASSWORD = "correct horse battery";

describe("register -> login -> me", () => {
  it("signs a new user in and returns who they are", async () => {
    const email = uniqueEmail("ada");
    const anon = await h.caller();
    const registered = await anon.auth.register({ email, password: PASSWORD });
    expect(registered).toEqual({ ok: true, message: expect.stringContaining("inbox") });

    // Not verified yet, and signing in works all the same (REQUIRE_VERIFIED_EMAIL is off).
    const pair = await anon.auth.login({ email, password: PASSWORD });
    expect(pair.expiresIn).toBe(900);
    expect(pair.refreshToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(pair.user).toMatchObject({ email, emailVerified: false, emailVerifiedAt: null });
    expect(pair.user).not.toHaveProperty("passwordHash");

    const me = await (await h.caller(pair.accessToken)).auth.me();
    expect(me.user).toEqual(pair.user);
  });

  it("normalises the email: case and surrounding spaces do not matter", async () => {
    const email = uniqueEmail("grace");
    const anon = await h.caller();
    await anon.auth.register({ email: email.toUpperCase(), password: PASSWORD });
    const pair = await anon.auth.login({
      email: email.replace("grace", "GrAcE"),
      password: PASSWORD,
    });
    expect(pair.user.email).toBe(email);
  });
});

describe("register", () => {
  it("answers the same email in another letter case exactly like a new one, and keeps one account", async () => {
    const email = uniqueEmail("dup");
    const anon = await h.caller();
    const first = await anon.auth.register({ email, password: PASSWORD });
    const again = await anon.auth.register({
      email: email.toUpperCase(),
      password: "other password",
    });
    expect(again).toEqual(first);
    expect(await h.db.user.count({ where: { email } })).toBe(1);
    // The first password still signs in: the second registration changed nothing.
    await expect(anon.auth.login({ email, password: PASSWORD })).resolves.toBeTruthy();
  });

  it("accepts exactly 8 and exactly 72 bytes", async () => {
    const anon = await h.caller();
    await expect(
      anon.auth.register({ email: uniqueEmail(), password: "12345678" }),
    ).resolves.toBeTruthy();
    await expect(
      anon.auth.register({ email: uniqueEmail(), password: "x".repeat(72) }),
    ).resolves.toBeTruthy();
  });

  it.each([
    ["7 bytes", "1234567", /at least 8 bytes/],
    ["73 bytes", "x".repeat(73), /at most 72 bytes/],
    // 25 characters, 75 bytes: a character count would wrongly let it through.
    ["multi-byte over 72 bytes", "€".repeat(25), /at most 72 bytes/],
  ])(
    "rejects a password of %s with BAD_REQUEST naming the field",
    async (_label, password, message) => {
      const email = uniqueEmail();
      const error = await expectTRPCError(
        (await h.caller()).auth.register({ email, password }),
        "BAD_REQUEST",
      );
      expect(error.cause).toBeInstanceOf(ZodError);
      const issues = (error.cause as ZodError).issues;
      expect(issues.map((i) => i.path.join("."))).toEqual(["password"]);
      expect(issues[0]?.message).toMatch(message);
      expect(await h.db.user.count({ where: { email } })).toBe(0);
    },
  );

  it.each([
    ["malformed email", { email: "not-an-email", password: PASSWORD }, ["email"]],
    ["missing email", { password: PASSWORD }, ["email"]],
    ["missing both fields", {}, ["email", "password"]],
    ["wrong types", { email: 42, password: true }, ["email", "password"]],
    ["over-long email", { email: `${"a".repeat(250)}@example.com`, password: PASSWORD }, ["email"]],
  ])("rejects %s with BAD_REQUEST naming each field", async (_label, input, fields) => {
    const anon = await h.caller();
    // Deliberately untyped: this is what a misbehaving client sends.
    const error = await expectTRPCError(anon.auth.register(input as never), "BAD_REQUEST");
    const paths = new Set((error.cause as ZodError).issues.map((i) => i.path.join(".")));
    expect([...paths].sort()).toEqual(fields);
  });
});

describe("login failures", () => {
  it("gives the same UNAUTHORIZED for a wrong password and an unknown email, and audits both", async () => {
    const email = uniqueEmail("eve");
    const anon = await h.caller();
    await anon.auth.register({ email, password: PASSWORD });
    const user = await h.db.user.findUniqueOrThrow({ where: { email } });
    const wrong = await expectTRPCError(
      anon.auth.login({ email, password: "wrong password" }),
      "UNAUTHORIZED",
    );
    const unknown = await expectTRPCError(
      anon.auth.login({ email: uniqueEmail("nobody"), password: PASSWORD }),
      "UNAUTHORIZED",
    );
    expect(wrong.message).toBe(unknown.message);
    expect(wrong.message).toBe("Invalid email or password");
    const failures = await h.db.auditEvent.findMany({
      where: { type: "login_failed", userId: user.id },
    });
    expect(failures).toHaveLength(1);
  });

  it("spends a bcrypt compare on unknown emails too (timing does not reveal accounts)", async () => {
    // Cost 10 makes one compare take tens of milliseconds, far above the query noise.
    const slow = await createHarness({ bcryptCost: 10 });
    try {
      const email = uniqueEmail("timing");
      const anon = await slow.caller();
      await anon.auth.register({ email, password: PASSWORD });
      const time = async (loginEmail: string, password = "wrong password") => {
        const started = performance.now();
        await (
          await slow.caller()
        ).auth
          .login({ email: loginEmail, password })
          .catch(() => undefined);
        return performance.now() - started;
      };
      await time(uniqueEmail("warmup")); // builds the dummy hash once
      const known: number[] = [];
      const unknown: number[] = [];
      const overlong: number[] = [];
      for (let i = 0; i < 4; i++) {
        known.push(await time(email));
        unknown.push(await time(uniqueEmail("nobody")));
        overlong.push(await time(email, "x".repeat(100)));
      }
      const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
      for (const other of [unknown, overlong]) {
        const ratio = mean(other) / mean(known);
        expect(ratio).toBeGreaterThan(0.5);
        expect(ratio).toBeLessThan(2);
      }
    } finally {
      await slow.close();
    }
  });

  it("refuses a password over 72 bytes at login exactly like a wrong one (no truncation)", async () => {
    const email = uniqueEmail("long");
    const password = "p".repeat(72);
    const anon = await h.caller();
    await anon.auth.register({ email, password });
    await expect(anon.auth.login({ email, password })).resolves.toMatchObject({ user: { email } });
    // bcrypt reads only 72 bytes, so without the check any suffix would pass.
    const withSuffix = await expectTRPCError(
      anon.auth.login({ email, password: `${password}anything` }),
      "UNAUTHORIZED",
    );
    const wrong = await expectTRPCError(
      anon.auth.login({ email, password: "q".repeat(72) }),
      "UNAUTHORIZED",
    );
    expect(withSuffix.message).toBe(wrong.message);
    expect((withSuffix.cause as AppError).reason).toBe("credentials_invalid");
    const user = await h.db.user.findUniqueOrThrow({ where: { email } });
    const failures = await h.db.auditEvent.findMany({
      where: { type: "login_failed", userId: user.id },
      select: { data: true },
    });
    expect(failures.map((f) => f.data)).toContainEqual({ reason: "password_too_long" });
  });

  it("refuses an over-long current password on changePassword too", async () => {
    const email = uniqueEmail("long-change");
    const password = "p".repeat(72);
    const anon = await h.caller();
    await anon.auth.register({ email, password });
    const { accessToken } = await anon.auth.login({ email, password });
    await expectTRPCError(
      (await h.caller(accessToken)).auth.changePassword({
        currentPassword: `${password}x`,
        newPassword: "a brand new password",
      }),
      "FORBIDDEN",
    );
  });
});

describe("storage", () => {
  it("keeps no plain password or refresh token in the database", async () => {
    const email = uniqueEmail("vault");
    const password = "plain-text-probe-Ä9";
    const anon = await h.caller();
    await anon.auth.register({ email, password });
    const pair = await anon.auth.login({ email, password });
    const rotated = await anon.auth.refresh({ refreshToken: pair.refreshToken });

    const dump = JSON.stringify(
      await Promise.all([
        h.db.user.findMany(),
        h.db.session.findMany(),
        h.db.refreshToken.findMany(),
        h.db.auditEvent.findMany(),
      ]),
    );
    for (const secret of [password, pair.refreshToken, rotated.refreshToken, pair.accessToken]) {
      expect(dump).not.toContain(secret);
    }
    const user = await h.db.user.findUniqueOrThrow({ where: { email } });
    expect(user.passwordHash).toMatch(/^\$2[ab]\$04\$/);
  });
});
