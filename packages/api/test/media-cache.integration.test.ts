import { randomUUID } from "node:crypto";

import {
  createTimelineCache,
  invalidateTimeline,
  type TimelineCache,
  type TimelineCacheRedis,
} from "@lifeline/core";
import { silentLogger } from "@lifeline/logger";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";

import { appRouter, createCallerFactory, createContext, type ApiDeps } from "../src/index";
import { createHarness, type Harness } from "./harness";
import { insertItems, signInMediaUser } from "./media-support";

/**
 * The timeline cache (first page of media.list per filter set, media.buckets) in the real
 * Redis: a write followed by a read shows the write at once, entries are really served from
 * Redis (a change made behind the cache's back stays invisible until invalidated), and Redis
 * trouble never fails a read.
 */

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(() => h.close());

const createCaller = createCallerFactory(appRouter);
const day = (n: number) => new Date(Date.UTC(2024, 5, 1) + n * 86_400_000);

/** A caller on the harness's database and user, with another timeline cache. */
async function callerWith(timeline: TimelineCache, accessToken: string) {
  const deps: ApiDeps = { ...h.deps, timeline };
  return createCaller(
    await createContext(deps, {
      requestId: randomUUID(),
      ip: "203.0.113.9",
      userAgent: "vitest",
      authorization: `Bearer ${accessToken}`,
    }),
  );
}

/** The real Redis, with a switch that makes every call fail as a dead connection does. */
function switchableRedis() {
  const state = { down: false, calls: 0 };
  const failIfDown = <T>(work: () => Promise<T>): Promise<T> => {
    state.calls += 1;
    if (state.down) return Promise.reject(new Error("Connection is closed."));
    return work();
  };
  const redis: TimelineCacheRedis = {
    get: (key) => failIfDown(() => h.redis.get(key)),
    mget: (...keys) => failIfDown(() => h.redis.mget(...keys)),
    set: (key, value, mode, seconds) => failIfDown(() => h.redis.set(key, value, mode, seconds)),
    incr: (key) => failIfDown(() => h.redis.incr(key)),
  };
  return { redis, state };
}

function spyLogger() {
  const logger = silentLogger();
  const warn = vi.spyOn(logger, "warn");
  const error = vi.spyOn(logger, "error");
  return { logger, warn, error };
}

describe("staleness: a write is visible to the very next read", () => {
  it("after media.delete: the first page and the buckets drop the item at once", async () => {
    const { user, caller } = await signInMediaUser(h, "stale-delete");
    const [newest, older] = await insertItems(h.db, user.id, [
      { takenAt: day(40) },
      { takenAt: day(1) },
    ]);
    // Fill the cache: the first page (default and another filter set) and the buckets.
    expect((await caller.media.list()).items.map((i) => i.id)).toEqual([newest, older]);
    expect((await caller.media.list({ kind: "image", limit: 10 })).items).toHaveLength(2);
    expect((await caller.media.buckets()).total).toBe(2);

    await caller.media.delete({ id: newest! });

    expect((await caller.media.list()).items.map((i) => i.id)).toEqual([older]);
    expect((await caller.media.list({ kind: "image", limit: 10 })).items).toHaveLength(1);
    expect(await caller.media.buckets()).toEqual({
      buckets: [{ month: "2024-06", count: 1 }],
      total: 1,
    });
  });

  it("after an upload (a row committed, then invalidateTimeline): the new item shows at once", async () => {
    const { user, caller } = await signInMediaUser(h, "stale-upload");
    await insertItems(h.db, user.id, [{ takenAt: day(1) }]);
    expect((await caller.media.list()).items).toHaveLength(1);
    expect((await caller.media.buckets()).total).toBe(1);

    // What ingest does once its row is committed.
    const [uploaded] = await insertItems(h.db, user.id, [{ takenAt: day(45) }]);
    await invalidateTimeline(h.deps.timeline, user.id);

    expect((await caller.media.list()).items[0]?.id).toBe(uploaded);
    expect(await caller.media.buckets()).toEqual({
      buckets: [
        { month: "2024-07", count: 1 },
        { month: "2024-06", count: 1 },
      ],
      total: 2,
    });
  });

  it("really serves from Redis: a row added behind the cache's back stays unseen until invalidated", async () => {
    const { user, caller } = await signInMediaUser(h, "hit");
    await insertItems(h.db, user.id, [{ takenAt: day(1) }]);
    const before = await caller.media.list();
    const beforeBuckets = await caller.media.buckets();
    await insertItems(h.db, user.id, [{ takenAt: day(2) }]);

    // Not invalidated: the cached first page and buckets are what comes back...
    expect(await caller.media.list()).toEqual(before);
    expect(await caller.media.buckets()).toEqual(beforeBuckets);
    // ...while pages with a cursor, and other filter sets, are never cached.
    expect((await caller.media.list({ limit: 1 })).items).toHaveLength(1);
    expect((await caller.media.list({ limit: 1 })).nextCursor).not.toBeNull();

    await invalidateTimeline(h.deps.timeline, user.id);
    expect((await caller.media.list()).items).toHaveLength(2);
  });

  it("keys entries by user: one user's writes and cache never touch another's", async () => {
    const a = await signInMediaUser(h, "user-a");
    const b = await signInMediaUser(h, "user-b");
    await insertItems(h.db, a.user.id, [{ takenAt: day(1) }]);
    await insertItems(h.db, b.user.id, [{ takenAt: day(1) }, { takenAt: day(2) }]);
    expect((await a.caller.media.list()).items).toHaveLength(1);
    expect((await b.caller.media.list()).items).toHaveLength(2);
    expect((await a.caller.media.buckets()).total).toBe(1);
    expect((await b.caller.media.buckets()).total).toBe(2);
    const version = await h.redis.get(`${h.redisKeyPrefix}media:version:${a.user.id}`);
    await invalidateTimeline(h.deps.timeline, a.user.id);
    expect(await h.redis.get(`${h.redisKeyPrefix}media:version:${a.user.id}`)).toBe(
      String(Number(version ?? 0) + 1),
    );
  });

  it("entries expire (TTL set on every entry)", async () => {
    const { user, caller } = await signInMediaUser(h, "ttl");
    await insertItems(h.db, user.id, [{ takenAt: day(1) }]);
    await caller.media.list();
    const keys = await h.redis.keys(`${h.redisKeyPrefix}media:timeline:${user.id}:*`);
    expect(keys).toHaveLength(1);
    const ttl = await h.redis.ttl(keys[0]!);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(300);
  });
});

describe("with Redis down", () => {
  it("reads through to Postgres (never an error) and logs once per outage", async () => {
    const { user, accessToken } = await signInMediaUser(h, "redis-down");
    await insertItems(h.db, user.id, [{ takenAt: day(1) }, { takenAt: day(2) }]);
    const { redis, state } = switchableRedis();
    const { logger, warn } = spyLogger();
    const caller = await callerWith(
      createTimelineCache({ redis, keyPrefix: h.redisKeyPrefix, logger }),
      accessToken,
    );

    state.down = true;
    for (let i = 0; i < 3; i++) {
      expect((await caller.media.list()).items).toHaveLength(2);
      expect((await caller.media.buckets()).total).toBe(2);
    }
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0]?.[1])).toContain("reading through to Postgres");

    // A delete still works (the row is what the user asked about); the invalidation is owed.
    const [gone] = await insertItems(h.db, user.id, [{ takenAt: day(3) }]);
    expect(await caller.media.delete({ id: gone! })).toEqual({ ok: true });
    expect((await caller.media.list()).items).toHaveLength(2);
  });

  it("a slow Redis is bypassed after the timeout, not waited for", async () => {
    const { user, accessToken } = await signInMediaUser(h, "redis-slow");
    await insertItems(h.db, user.id, [{ takenAt: day(1) }]);
    const never = () => new Promise<never>(() => undefined);
    const hanging: TimelineCacheRedis = { get: never, mget: never, set: never, incr: never };
    const caller = await callerWith(
      createTimelineCache({
        redis: hanging,
        keyPrefix: h.redisKeyPrefix,
        logger: silentLogger(),
        timeoutMs: 50,
      }),
      accessToken,
    );
    const started = Date.now();
    expect((await caller.media.list()).items).toHaveLength(1);
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it("an invalidation missed during an outage never lets a stale entry be read afterwards", async () => {
    const { user, accessToken } = await signInMediaUser(h, "missed");
    await insertItems(h.db, user.id, [{ takenAt: day(1) }]);
    const { redis, state } = switchableRedis();
    const { logger, error } = spyLogger();
    const cache = createTimelineCache({ redis, keyPrefix: h.redisKeyPrefix, logger });
    const caller = await callerWith(cache, accessToken);
    expect((await caller.media.list()).items).toHaveLength(1); // cached now

    // A write while Redis is unreachable: its invalidation cannot happen.
    state.down = true;
    await insertItems(h.db, user.id, [{ takenAt: day(2) }]);
    await invalidateTimeline(cache, user.id);
    expect(error).toHaveBeenCalledTimes(1);

    // Redis is back, holding the entry from before the write: it must not be served.
    state.down = false;
    expect((await caller.media.list()).items).toHaveLength(2);
    // And the cache works again afterwards (served from Redis: a hidden row stays hidden).
    await insertItems(h.db, user.id, [{ takenAt: day(3) }]);
    expect((await caller.media.list()).items).toHaveLength(2);
  });
});
