import { randomBytes } from "node:crypto";

import { silentLogger } from "@lifeline/logger";
import { createRedis, QUEUE_NAMES, startHeartbeat } from "@lifeline/queue";
import type { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";

import { READINESS_CACHE_MS } from "../src/routes/health";
import { startTestServer, type TestServer } from "../src/testing";
import { LEAK, type RestError } from "./support/http";

/**
 * /readyz's jobs section (a live jobs process heartbeating, and the queues it covers) and
 * its warning about Redis's eviction policy. Each answer is reused for a second, so every
 * probe after a change waits that long.
 */

interface Readyz {
  status: string;
  checks: Record<string, string>;
  jobs: { processes: number; queues: string[] };
  redis: { maxmemoryPolicy: string };
  warnings: string[];
}

let server: TestServer;
let redis: Redis;
beforeAll(async () => {
  server = await startTestServer({ databaseUrl: inject("databaseUrl") });
  redis = createRedis(inject("redisUrl"), silentLogger());
});
afterAll(async () => {
  redis.disconnect();
  await server.close();
});

const fresh = () => new Promise((resolve) => setTimeout(resolve, READINESS_CACHE_MS + 50));

async function readyz(target: TestServer = server): Promise<{ statusCode: number; body: Readyz }> {
  await fresh();
  const res = await target.app.inject({ method: "GET", url: "/readyz" });
  return { statusCode: res.statusCode, body: res.json<Readyz>() };
}

function heartbeat(queues: string[], instance = `jobs-${randomBytes(3).toString("hex")}`) {
  return startHeartbeat({
    redis,
    redisKeyPrefix: server.env.REDIS_KEY_PREFIX,
    instance,
    queues,
  });
}

describe("/readyz: jobs", () => {
  it("without a jobs process: still 200, but 'degraded' with jobs 'no workers'", async () => {
    const { statusCode, body } = await readyz();
    expect(statusCode).toBe(200);
    expect(body.status).toBe("degraded");
    expect(body.checks).toEqual({
      postgres: "ok",
      redis: "ok",
      jobs: "no workers",
      backups: "ok",
    });
    expect(body.jobs).toEqual({ processes: 0, queues: [] });
  });

  it("with jobs processes heartbeating: ready, with their count and queues", async () => {
    // Between them the two processes cover every queue.
    const first = heartbeat([...QUEUE_NAMES]);
    const second = heartbeat(["email"]);
    try {
      const { statusCode, body } = await readyz();
      expect(statusCode).toBe(200);
      expect(body.status).toBe("ready");
      expect(body.checks.jobs).toBe("ok");
      expect(body.jobs).toEqual({ processes: 2, queues: [...QUEUE_NAMES].sort() });
      expect(body.warnings).toEqual([]);
    } finally {
      await Promise.all([first.stop(), second.stop()]);
    }
    // A process that stops deletes its heartbeat: the next answer says so.
    expect((await readyz()).body.checks.jobs).toBe("no workers");
  });

  it("warns when no process works on some queue", async () => {
    const beat = heartbeat(["email"]);
    try {
      const { body } = await readyz();
      expect(body.status).toBe("ready");
      expect(body.jobs.queues).toEqual(["email"]);
      const uncovered = QUEUE_NAMES.filter((queue) => queue !== "email").join(", ");
      expect(body.warnings).toEqual([`no jobs process works on the ${uncovered} queue(s)`]);
    } finally {
      await beat.stop();
    }
  });

  it("ignores heartbeats of another deployment (another REDIS_KEY_PREFIX)", async () => {
    const other = startHeartbeat({
      redis,
      redisKeyPrefix: `${inject("redisKeyPrefix")}other-${randomBytes(3).toString("hex")}:`,
      instance: "elsewhere",
      queues: ["email", "maintenance"],
    });
    try {
      expect((await readyz()).body.checks.jobs).toBe("no workers");
    } finally {
      await other.stop();
    }
  });

  it("with Redis down: 503 names Redis only; jobs is 'unavailable'; no driver text", async () => {
    const broken = await startTestServer({
      databaseUrl: inject("databaseUrl"),
      env: { REDIS_URL: "redis://127.0.0.1:1" },
    });
    try {
      const res = await broken.app.inject({ method: "GET", url: "/readyz" });
      expect(res.statusCode).toBe(503);
      const body = res.json<RestError & Readyz>();
      expect(body.error.message).toBe("Not ready: redis unavailable");
      expect(body.checks).toEqual({
        postgres: "ok",
        redis: "unavailable",
        jobs: "unavailable",
        backups: "ok",
      });
      expect(body.jobs).toEqual({ processes: 0, queues: [] });
      expect(res.body).not.toMatch(LEAK);
      expect(res.body).not.toMatch(/ECONNREFUSED|127\.0\.0\.1|connect/i);
    } finally {
      await broken.close();
    }
  });
});

describe("/readyz: Redis eviction policy", () => {
  it("reports noeviction without a warning, and warns under any other policy", async () => {
    const [, original = "noeviction"] = await redis.config("GET", "maxmemory-policy");
    expect((await readyz()).body.redis).toEqual({ maxmemoryPolicy: original });

    await redis.config("SET", "maxmemory-policy", "allkeys-lru");
    try {
      const { statusCode, body } = await readyz();
      expect(statusCode).toBe(200);
      expect(body.redis).toEqual({ maxmemoryPolicy: "allkeys-lru" });
      expect(body.warnings).toContain(
        "redis maxmemory-policy is allkeys-lru: under memory pressure Redis may evict queued jobs; set it to noeviction",
      );
    } finally {
      await redis.config("SET", "maxmemory-policy", original);
    }
    await redis.config("SET", "maxmemory-policy", "noeviction");
    try {
      const { body } = await readyz();
      expect(body.redis).toEqual({ maxmemoryPolicy: "noeviction" });
      expect(body.warnings.filter((w) => w.includes("maxmemory"))).toEqual([]);
    } finally {
      await redis.config("SET", "maxmemory-policy", original);
    }
  });

  it("says 'unknown', without a warning, when Redis refuses CONFIG (as managed Redis often does)", async () => {
    // A real Redis user that may do everything but CONFIG.
    const user = `readyz-${randomBytes(4).toString("hex")}`;
    const password = randomBytes(12).toString("hex");
    await redis.call("ACL", "SETUSER", user, "on", `>${password}`, "~*", "&*", "+@all", "-config");
    const url = new URL(inject("redisUrl"));
    url.username = user;
    url.password = password;
    const restricted = await startTestServer({
      databaseUrl: inject("databaseUrl"),
      env: { REDIS_URL: url.toString() },
    });
    try {
      const res = await restricted.app.inject({ method: "GET", url: "/readyz" });
      expect(res.statusCode).toBe(200);
      const body = res.json<Readyz>();
      expect(body.checks.redis).toBe("ok");
      expect(body.redis).toEqual({ maxmemoryPolicy: "unknown" });
      expect(body.warnings.filter((w) => w.includes("maxmemory"))).toEqual([]);
      expect(res.body).not.toMatch(/NOPERM|permission/i);
    } finally {
      await restricted.close();
      await redis.call("ACL", "DELUSER", user);
    }
  });
});
