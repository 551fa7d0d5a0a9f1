import type { AppError } from "@lifeline/core";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";

import { clientKey } from "../src/rate-limit/client-key";
import { emailKey } from "../src/rate-limit/email-key";
import { createHarness, expectTRPCError, uniqueEmail, uniqueIp, type Harness } from "./harness";

const PASSWORD = "correct horse battery";

// The credential rate limit stays generous (harness default) so only the lockout acts.
let h: Harness;
beforeAll(async () => {
  h = await createHarness({
    rateLimits: {
      lockout: {
        threshold: 3,
        baseSeconds: 60,
        maxSeconds: 200,
        accountMaxFailures: 1000,
        accountWindowSeconds: 3600,
      },
    },
  });
});
afterAll(() => h.close());

async function registered(harness = h): Promise<string> {
  const email = uniqueEmail("locked");
  await (await harness.caller()).auth.register({ email, password: PASSWORD });
  return email;
}

/** The address h.caller() uses unless told otherwise. */
const DEFAULT_IP = "203.0.113.7";

async function failLogin(email: string, harness = h, ip = DEFAULT_IP) {
  await expectTRPCError(
    (await harness.caller(undefined, { ip })).auth.login({ email, password: "wrong password" }),
    "UNAUTHORIZED",
  );
}

const keysOf = (harness: Harness, email: string, ip = DEFAULT_IP) => {
  const base = `${harness.redisKeyPrefix}lockout:${emailKey(email)}:client:${clientKey(ip)}`;
  return { failures: `${base}:failures`, lock: `${base}:lock` };
};

/** Seconds a lock has left, read from Redis rather than waited for. */
const lockTtl = (harness: Harness, email: string) => harness.redis.ttl(keysOf(harness, email).lock);

describe("login lockout", () => {
  it("locks after `threshold` failures: even the right password gets TOO_MANY_REQUESTS", async () => {
    const email = await registered();
    for (let i = 0; i < 3; i++) await failLogin(email);

    const setHeader = vi.fn<(name: string, value: string) => void>();
    const error = await expectTRPCError(
      (await h.caller(undefined, { setHeader })).auth.login({ email, password: PASSWORD }),
      "TOO_MANY_REQUESTS",
    );
    const retryAfter = (error.cause as AppError).retryAfterSeconds!;
    expect(retryAfter).toBeGreaterThanOrEqual(58);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(setHeader).toHaveBeenCalledWith("Retry-After", String(retryAfter));
    expect(error.message).toMatch(/^Too many attempts; retry in \d+ seconds$/);
  });

  it("refuses a locked account without checking the password (no oracle, no audit)", async () => {
    const email = await registered();
    for (let i = 0; i < 3; i++) await failLogin(email);
    const user = await h.db.user.findUniqueOrThrow({ where: { email } });
    const audited = () => h.db.auditEvent.count({ where: { userId: user.id } });
    const before = await audited();
    const anon = await h.caller();
    const wrong = await expectTRPCError(
      anon.auth.login({ email, password: "wrong password" }),
      "TOO_MANY_REQUESTS",
    );
    const right = await expectTRPCError(
      anon.auth.login({ email, password: PASSWORD }),
      "TOO_MANY_REQUESTS",
    );
    expect(wrong.message).toBe(right.message);
    expect(await audited()).toBe(before);
  });

  it("locks unknown emails the same way, so a lock reveals no account", async () => {
    const email = uniqueEmail("nobody");
    for (let i = 0; i < 3; i++) await failLogin(email);
    await expectTRPCError(
      (await h.caller()).auth.login({ email, password: PASSWORD }),
      "TOO_MANY_REQUESTS",
    );
  });

  it("doubles the lock on each further failure, up to the cap, and the keys expire", async () => {
    const email = await registered();
    const keys = keysOf(h, email);
    for (let i = 0; i < 3; i++) await failLogin(email);
    expect(await lockTtl(h, email)).toBeGreaterThan(55);
    expect(await lockTtl(h, email)).toBeLessThanOrEqual(60);

    const locks: number[] = [];
    for (let i = 0; i < 3; i++) {
      await h.redis.del(keys.lock); // as if the lock had run out
      await failLogin(email);
      locks.push(await lockTtl(h, email));
    }
    // 60 * 2 = 120, 60 * 4 = 240 capped at 200, then still 200.
    expect(locks[0]).toBeGreaterThan(115);
    expect(locks[0]).toBeLessThanOrEqual(120);
    expect(locks[1]).toBeGreaterThan(195);
    expect(locks[1]).toBeLessThanOrEqual(200);
    expect(locks[2]).toBeGreaterThan(195);
    expect(locks[2]).toBeLessThanOrEqual(200);
    // The failure count outlives the lock (so the next lock is longer), but not forever.
    const failuresTtl = await h.redis.ttl(keys.failures);
    expect(failuresTtl).toBeGreaterThan(200);
    expect(failuresTtl).toBeLessThanOrEqual(400);
    expect(await h.redis.get(keys.failures)).toBe("6");
  });

  it("keeps failures below the threshold on a short memory and forgets them on success", async () => {
    const email = await registered();
    const keys = keysOf(h, email);
    await failLogin(email);
    await failLogin(email);
    expect(await h.redis.ttl(keys.failures)).toBeGreaterThan(195);
    await (await h.caller()).auth.login({ email, password: PASSWORD });
    expect(await h.redis.exists(keys.failures, keys.lock)).toBe(0);
    // Two more failures do not lock: the count started again.
    await failLogin(email);
    await failLogin(email);
    await expect(
      (await h.caller()).auth.login({ email, password: PASSWORD }),
    ).resolves.toMatchObject({ user: { email } });
  });

  it("lets the right password in once the lock has run out, and that clears the count", async () => {
    const short = await createHarness({
      rateLimits: {
        lockout: {
          threshold: 2,
          baseSeconds: 1,
          maxSeconds: 2,
          accountMaxFailures: 1000,
          accountWindowSeconds: 3600,
        },
      },
    });
    try {
      const email = await registered(short);
      await failLogin(email, short);
      await failLogin(email, short);
      const locked = await expectTRPCError(
        (await short.caller()).auth.login({ email, password: PASSWORD }),
        "TOO_MANY_REQUESTS",
      );
      expect((locked.cause as AppError).retryAfterSeconds).toBe(1);
      await new Promise((resolve) => setTimeout(resolve, 1100));
      await expect(
        (await short.caller()).auth.login({ email, password: PASSWORD }),
      ).resolves.toMatchObject({ user: { email } });
      expect(await short.redis.exists(...Object.values(keysOf(short, email)))).toBe(0);
      // After the clear, one failure is below the threshold again.
      await failLogin(email, short);
      await expect(
        (await short.caller()).auth.login({ email, password: PASSWORD }),
      ).resolves.toBeTruthy();
    } finally {
      await short.close();
    }
  });

  it("guards login only: a locked account's existing session still refreshes", async () => {
    const email = await registered();
    const pair = await (await h.caller()).auth.login({ email, password: PASSWORD });
    for (let i = 0; i < 3; i++) await failLogin(email);
    await expect(
      (await h.caller()).auth.refresh({ refreshToken: pair.refreshToken }),
    ).resolves.toMatchObject({ user: { email } });
  });
});

describe("lockout per account and client", () => {
  it("delays only the stranger: failures from five addresses do not lock the owner out", async () => {
    const email = await registered();
    for (let i = 0; i < 5; i++) await failLogin(email, h, uniqueIp());
    // The owner, from their own address, signs in at once.
    await expect(
      (await h.caller(undefined, { ip: "198.51.100.20" })).auth.login({
        email,
        password: PASSWORD,
      }),
    ).resolves.toMatchObject({ user: { email } });
  });

  it("locks the one client that keeps failing, and only it", async () => {
    const email = await registered();
    const stranger = "198.51.100.66";
    for (let i = 0; i < 3; i++) await failLogin(email, h, stranger);
    await expectTRPCError(
      (await h.caller(undefined, { ip: stranger })).auth.login({ email, password: PASSWORD }),
      "TOO_MANY_REQUESTS",
    );
    await expect(
      (await h.caller(undefined, { ip: "198.51.100.67" })).auth.login({
        email,
        password: PASSWORD,
      }),
    ).resolves.toMatchObject({ user: { email } });
  });

  it("counts an IPv6 client by its /64: rotating addresses inside it does not help", async () => {
    const email = await registered();
    for (let i = 1; i <= 3; i++) await failLogin(email, h, `2001:db8:77:1::${i}`);
    await expectTRPCError(
      (await h.caller(undefined, { ip: "2001:db8:77:1:ffff::9" })).auth.login({
        email,
        password: PASSWORD,
      }),
      "TOO_MANY_REQUESTS",
    );
    // Another /64 is another client.
    await expect(
      (await h.caller(undefined, { ip: "2001:db8:77:2::1" })).auth.login({
        email,
        password: PASSWORD,
      }),
    ).resolves.toMatchObject({ user: { email } });
  });

  it("counts wrong current passwords on changePassword, and locks that too", async () => {
    const email = await registered();
    const { accessToken } = await (await h.caller()).auth.login({ email, password: PASSWORD });
    const me = await h.caller(accessToken, { ip: "198.51.100.90" });
    for (let i = 0; i < 3; i++) {
      await expectTRPCError(
        me.auth.changePassword({
          currentPassword: "wrong password",
          newPassword: "new password 1",
        }),
        "FORBIDDEN",
      );
    }
    // Now even the right current password is refused from that client: the guessing stops.
    await expectTRPCError(
      me.auth.changePassword({ currentPassword: PASSWORD, newPassword: "new password 1" }),
      "TOO_MANY_REQUESTS",
    );
    expect(await h.redis.exists(keysOf(h, email, "198.51.100.90").lock)).toBe(1);
  });
});

describe("account-wide ceiling", () => {
  it("locks the account for everyone past the ceiling, audited once", async () => {
    const ceiling = await createHarness({
      rateLimits: {
        lockout: {
          threshold: 100,
          baseSeconds: 60,
          maxSeconds: 200,
          accountMaxFailures: 4,
          accountWindowSeconds: 600,
        },
      },
    });
    try {
      const email = await registered(ceiling);
      // The fifth failure passes the ceiling of four.
      for (let i = 0; i < 5; i++) await failLogin(email, ceiling, uniqueIp());
      const error = await expectTRPCError(
        (await ceiling.caller(undefined, { ip: "198.51.100.30" })).auth.login({
          email,
          password: PASSWORD,
        }),
        "TOO_MANY_REQUESTS",
      );
      const retryAfter = (error.cause as AppError).retryAfterSeconds!;
      expect(retryAfter).toBeGreaterThan(590);
      expect(retryAfter).toBeLessThanOrEqual(600);
      const user = await ceiling.db.user.findUniqueOrThrow({ where: { email } });
      expect(
        await ceiling.db.auditEvent.count({ where: { type: "account_locked", userId: user.id } }),
      ).toBe(1);
      // A password reset proves ownership and clears it.
      await ceiling.deps.rateLimits.lockout.clearAccount(email);
      await expect(
        (await ceiling.caller(undefined, { ip: "198.51.100.30" })).auth.login({
          email,
          password: PASSWORD,
        }),
      ).resolves.toMatchObject({ user: { email } });
    } finally {
      await ceiling.close();
    }
  });
});
