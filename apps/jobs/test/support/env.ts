import { randomBytes } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

import { jobsEnvSchema, parseEnv, type JobsEnv } from "@lifeline/env";
import { inject } from "vitest";

/**
 * The variables of a jobs process for one test: the run's database and Redis, a Redis key
 * prefix of its own (so its queues, schedules and heartbeats are apart from every other
 * test's), a log directory of its own. `overrides` are strings, as a deployment sets them.
 */
export function testEnvVars(overrides: Record<string, string> = {}): Record<string, string> {
  return {
    NODE_ENV: "test",
    LOG_LEVEL: "info",
    LOG_DIR: mkdtempSync(path.join(tmpdir(), "lifeline-jobs-")),
    DATABASE_URL: inject("databaseUrl"),
    REDIS_URL: inject("redisUrl"),
    REDIS_KEY_PREFIX: `${inject("redisKeyPrefix")}${randomBytes(4).toString("hex")}:`,
    ...overrides,
  };
}

export function testEnv(overrides: Record<string, string> = {}): JobsEnv {
  return parseEnv(jobsEnvSchema, testEnvVars(overrides));
}
