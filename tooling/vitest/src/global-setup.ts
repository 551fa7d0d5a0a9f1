import { randomBytes } from "node:crypto";

import { createTestDatabase } from "@lifeline/db/testing";
import { Redis } from "ioredis";
import type { TestProject } from "vitest/node";

import "./provided-context";

const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";

async function deleteKeys(redisUrl: string, prefix: string): Promise<void> {
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  try {
    let cursor = "0";
    do {
      const [next, keys] = await redis.scan(cursor, "MATCH", `${prefix}*`, "COUNT", 500);
      cursor = next;
      if (keys.length) await redis.unlink(...keys);
    } while (cursor !== "0");
  } finally {
    redis.disconnect();
  }
}

/**
 * Vitest global setup for integration tests: the run gets its own Postgres database and its
 * own Redis key prefix, against the machine's real services, and both are removed after.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const database = await createTestDatabase(project.name);
  const redisKeyPrefix = `lifeline-test:${randomBytes(5).toString("hex")}:`;
  project.provide("databaseUrl", database.url);
  project.provide("redisUrl", REDIS_URL);
  project.provide("redisKeyPrefix", redisKeyPrefix);
  return async () => {
    await Promise.all([database.drop(), deleteKeys(REDIS_URL, redisKeyPrefix)]);
  };
}
