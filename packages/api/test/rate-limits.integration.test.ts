import { AppError } from "@lifeline/core";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";

import { createHarness, expectTRPCError, uniqueEmail, uniqueIp, type Harness } from "./harness";

const PASSWORD = "correct horse battery";
const WINDOW = 900;

// Production's shape: 5 credential attempts and a looser refresh budget per 15 minutes.
let h: Harness;
beforeAll(async () => {
  h = await createHarness({
    rateLimits: {
      credentials: { max: 5, windowSeconds: WINDOW },
      refresh: { max: 8, windowSeconds: WINDOW },
      global: { max: 3, windowSeconds: WINDOW },
    },
  });
});
afterAll(() => h.close());

/** The headers a procedure set, last value per name. */
function headerSpy() {
  const setHeader = vi.fn<(name: string, value: string) => void>();
  const headers = () => Object.fromEntries(setHeader.mock.calls);
  return { setHeader, headers };
}

async function wrongLogin(email: string, ip: string) {
  const anon = await h.caller(undefined, { ip });
  await expectTRPCError(anon.auth.login({ email, password: "wrong password" }), "UNAUTHORIZED");
}

describe("credential rate limit", () => {
  it("refuses the 6th login in the window with TOO_MANY_REQUESTS, Retry-After and RateLimit-*", async () => {
    const ip = uniqueIp();
    const email = uniqueEmail("brute");
    const first = headerSpy();
    await expectTRPCError(
      (await h.caller(undefined, { ip, setHeader: first.setHeader })).auth.login({
        email,
        password: "wrong password",
      }),
      "UNAUTHORIZED",
    );
    expect(first.headers()).toMatchObject({ "RateLimit-Limit": "5", "RateLimit-Remaining": "4" });
    expect(first.headers()).not.toHaveProperty("Retry-After");
    for (let i = 0; i < 4; i++) await wrongLogin(email, ip);

    const sixth = headerSpy();
    const error = await expectTRPCError(
      (await h.caller(undefined, { ip, setHeader: sixth.setHeader })).auth.login({
        email,
        password: PASSWORD,
      }),
      "TOO_MANY_REQUESTS",
    );
    expect(error.cause).toBeInstanceOf(AppError);
    const retryAfter = (error.cause as AppError).retryAfterSeconds!;
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(WINDOW);
    expect(error.message).toBe(`Too many attempts; retry in ${retryAfter} seconds`);

    const headers = sixth.headers();
    expect(headers).toMatchObject({
      "RateLimit-Limit": "5",
      "RateLimit-Remaining": "0",
      "Retry-After": String(retryAfter),
    });
    expect(Number(headers["RateLimit-Reset"])).toBeGreaterThan(0);
    expect(Number(headers["RateLimit-Reset"])).toBeLessThanOrEqual(WINDOW);
  });

  it("does not limit one email tried from many addresses (the owner's budget is theirs)", async () => {
    const email = uniqueEmail("spread");
    await (
      await h.caller(undefined, { ip: uniqueIp() })
    ).auth.register({ email, password: PASSWORD });
    for (let i = 0; i < 6; i++) await wrongLogin(email, uniqueIp());
    const owner = await h.caller(undefined, { ip: uniqueIp() });
    await expect(owner.auth.login({ email, password: PASSWORD })).resolves.toMatchObject({
      user: { email },
    });
  });

  it("limits a signed-in user's password checks per user, whatever the address", async () => {
    const email = uniqueEmail("changer");
    await (
      await h.caller(undefined, { ip: uniqueIp() })
    ).auth.register({ email, password: PASSWORD });
    const { accessToken } = await (
      await h.caller(undefined, { ip: uniqueIp() })
    ).auth.login({
      email,
      password: PASSWORD,
    });
    for (let i = 0; i < 5; i++) {
      await expectTRPCError(
        (await h.caller(accessToken, { ip: uniqueIp() })).auth.changePassword({
          currentPassword: "wrong password",
          newPassword: "another password",
        }),
        "FORBIDDEN",
      );
    }
    await expectTRPCError(
      (await h.caller(accessToken, { ip: uniqueIp() })).auth.changePassword({
        currentPassword: PASSWORD,
        newPassword: "another password",
      }),
      "TOO_MANY_REQUESTS",
    );
  });

  it("limits one address trying many emails, register included", async () => {
    const ip = uniqueIp();
    for (let i = 0; i < 4; i++) await wrongLogin(uniqueEmail("spray"), ip);
    const anon = await h.caller(undefined, { ip });
    await anon.auth.register({ email: uniqueEmail("new"), password: PASSWORD });
    await expectTRPCError(
      anon.auth.register({ email: uniqueEmail("new"), password: PASSWORD }),
      "TOO_MANY_REQUESTS",
    );
    await expectTRPCError(
      anon.auth.login({ email: uniqueEmail("other"), password: PASSWORD }),
      "TOO_MANY_REQUESTS",
    );
    // Another address is not affected.
    await wrongLogin(uniqueEmail("other"), uniqueIp());
  });

  it("still answers BAD_REQUEST to malformed input once limited, and counts none of it", async () => {
    const ip = uniqueIp();
    for (let i = 0; i < 5; i++) await wrongLogin(uniqueEmail("fill"), ip);
    const spy = headerSpy();
    const anon = await h.caller(undefined, { ip, setHeader: spy.setHeader });
    await expectTRPCError(anon.auth.login({ email: "not-an-email", password: "" }), "BAD_REQUEST");
    await expectTRPCError(anon.auth.register({} as never), "BAD_REQUEST");
    expect(spy.setHeader).not.toHaveBeenCalled();
    await expectTRPCError(
      anon.auth.login({ email: uniqueEmail(), password: PASSWORD }),
      "TOO_MANY_REQUESTS",
    );
  });
});

describe("refresh rate limit", () => {
  it("has its own looser budget: 8 rotations pass where 5 credential attempts would not", async () => {
    const ip = uniqueIp();
    const email = uniqueEmail("refresher");
    const anon = await h.caller(undefined, { ip });
    await anon.auth.register({ email, password: PASSWORD });
    let { refreshToken } = await anon.auth.login({ email, password: PASSWORD });
    for (let i = 0; i < 8; i++) {
      ({ refreshToken } = await anon.auth.refresh({ refreshToken }));
    }
    const spy = headerSpy();
    const limited = await h.caller(undefined, { ip, setHeader: spy.setHeader });
    await expectTRPCError(limited.auth.refresh({ refreshToken }), "TOO_MANY_REQUESTS");
    expect(spy.headers()).toMatchObject({ "RateLimit-Limit": "8", "RateLimit-Remaining": "0" });
    expect(Number(spy.headers()["Retry-After"])).toBeGreaterThanOrEqual(1);
    // Credential attempts from the same address still have 3 of their 5 left.
    await wrongLogin(uniqueEmail(), ip);
  });
});

describe("global limit", () => {
  it("counts every call of a batch", async () => {
    const ip = uniqueIp();
    expect((await h.deps.rateLimits.checkGlobal(ip, 2)).remaining).toBe(1);
    expect((await h.deps.rateLimits.checkGlobal(ip, 2)).allowed).toBe(false);
  });

  it("counts per address and refuses past the limit", async () => {
    const ip = uniqueIp();
    const results = [];
    for (let i = 0; i < 4; i++) results.push(await h.deps.rateLimits.checkGlobal(ip));
    expect(results.map((r) => r.allowed)).toEqual([true, true, true, false]);
    expect(results.map((r) => r.remaining)).toEqual([2, 1, 0, 0]);
    expect(results[3]!.resetSeconds).toBeGreaterThan(0);
    expect(results.some((r) => r.degraded)).toBe(false);
    expect((await h.deps.rateLimits.checkGlobal(uniqueIp())).allowed).toBe(true);
  });

  it("keeps its keys under <prefix>ratelimit:<name>: with an expiry, and no email in clear", async () => {
    const limiterKeys = await h.redis.keys(`${h.redisKeyPrefix}ratelimit:*`);
    const names = new Set(limiterKeys.map((k) => k.slice(h.redisKeyPrefix.length).split(":")[1]));
    expect([...names].sort()).toEqual([
      "account-email",
      "credentials-client",
      "credentials-user",
      "global",
      "refresh",
    ]);
    // Every key this harness wrote (the lockout's failure counters too) expires, except the
    // email queue's (registrations enqueue mail): BullMQ removes its jobs by its own rules.
    const keys = await h.redis.keys(`${h.redisKeyPrefix}*`);
    expect(keys.some((k) => k.includes("@"))).toBe(false);
    const limiterOwn = keys.filter((k) => !k.startsWith(`${h.redisKeyPrefix}bull:`));
    expect(limiterOwn.length).toBeGreaterThan(0);
    for (const key of limiterOwn) expect(await h.redis.pttl(key)).toBeGreaterThan(0);
  });
});

describe("account emails", () => {
  it("go to one mailbox at most three times in ten minutes, whatever the clients", async () => {
    const email = uniqueEmail("flooded");
    const queued = async () =>
      (await h.deps.jobs.queue("email").getJobs(["waiting", "delayed", "active"])).filter(
        (job) => (job.data as { email?: string }).email === email,
      ).length;
    for (let i = 0; i < 5; i++) {
      // The same answer every time: the sender learns nothing from it.
      await expect(
        (await h.caller(undefined, { ip: uniqueIp() })).auth.requestPasswordReset({ email }),
      ).resolves.toMatchObject({ ok: true });
    }
    expect(await queued()).toBe(3);
  });
});

describe("RATE_LIMIT_ENABLED=false", () => {
  it("lets everything through and sets no headers", async () => {
    const off = await createHarness({
      rateLimits: { enabled: false, credentials: { max: 1, windowSeconds: WINDOW } },
    });
    try {
      const spy = headerSpy();
      const anon = await off.caller(undefined, { setHeader: spy.setHeader });
      for (let i = 0; i < 3; i++) {
        await expectTRPCError(
          anon.auth.login({ email: uniqueEmail(), password: "wrong password" }),
          "UNAUTHORIZED",
        );
      }
      expect(spy.setHeader).not.toHaveBeenCalled();
      expect((await off.deps.rateLimits.checkGlobal("198.51.100.1")).allowed).toBe(true);
      expect(await off.redis.keys(`${off.redisKeyPrefix}*`)).toEqual([]);
    } finally {
      await off.close();
    }
  });
});
