import { randomBytes, randomUUID } from "node:crypto";

import { createProviderLimits } from "@lifeline/core";
import { createLogger } from "@lifeline/logger";
import { createRedis, waitForRedis } from "@lifeline/queue";
import type { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";

import { sleep } from "./support/wait";

/** The imports' provider limits on the run's real Redis: the pause and the account semaphore. */

let redis: Redis;
const keyPrefix = `${inject("redisKeyPrefix")}limits-${randomBytes(3).toString("hex")}:`;

beforeAll(async () => {
  redis = createRedis(inject("redisUrl"), createLogger({ name: "t", level: "silent" }));
  await waitForRedis(redis, 2000);
});
afterAll(() => {
  redis.disconnect();
});

describe("provider limits", () => {
  it("a pause holds one provider's downloads for its length, and only that provider's", async () => {
    const limits = createProviderLimits({ redis, keyPrefix, perAccount: 2 });
    expect(await limits.pausedFor("google")).toBe(0);
    await limits.pause("google", 300);
    const left = await limits.pausedFor("google");
    expect(left).toBeGreaterThan(0);
    expect(left).toBeLessThanOrEqual(300);
    expect(await limits.pausedFor("microsoft")).toBe(0);
    await sleep(350);
    expect(await limits.pausedFor("google")).toBe(0);
  });

  it("bounds one account's downloads; a holder re-enters its own slot; a lapsed lease frees it", async () => {
    const limits = createProviderLimits({ redis, keyPrefix, perAccount: 2, leaseMs: 300 });
    const account = randomUUID();
    const a = await limits.acquire(account, "job-a");
    const b = await limits.acquire(account, "job-b");
    expect(a && b).toBeTruthy();
    expect(await limits.acquire(account, "job-c")).toBeNull();
    // Another account is not affected.
    expect(await limits.acquire(randomUUID(), "job-c")).not.toBeNull();
    // The same job (run again after its process died) takes its own slot back.
    expect(await limits.acquire(account, "job-a")).not.toBeNull();

    await b?.release();
    const c = await limits.acquire(account, "job-c");
    expect(c).not.toBeNull();
    // A released slot is not taken back by a renewal, only by retake, and only if free.
    await b?.renew();
    expect(await b?.retake()).toBe(false);

    // Leases lapse: a holder that stopped renewing (killed) frees its slot.
    await sleep(350);
    expect(await limits.acquire(account, "job-d")).not.toBeNull();
  });
});
