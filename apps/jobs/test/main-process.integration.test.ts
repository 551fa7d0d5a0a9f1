import { silentLogger } from "@lifeline/logger";
import { createRedis, readHeartbeats, waitForRedis } from "@lifeline/queue";
import { describe, expect, it } from "vitest";

import { queueWorkers } from "../src/workers";
import { testEnv, testEnvVars } from "./support/env";
import { spawnTs } from "./support/spawn";
import { waitFor } from "./support/wait";

/** What a production deployment must set; SMTP is not contacted until an email is sent. */
function productionVars(): Record<string, string> {
  return testEnvVars({
    NODE_ENV: "production",
    TOKEN_SECRET: "a-test-only-secret-of-thirty-two-chars",
    TOKEN_ENCRYPTION_KEYS: `test:${Buffer.alloc(32, 1).toString("base64")}`,
    SMTP_URL: "smtp://127.0.0.1:2525",
  });
}

describe("the jobs process (src/main.ts)", () => {
  it("starts its workers and heartbeat, then stops cleanly on SIGTERM", async () => {
    const env = productionVars();
    const prefix = env.REDIS_KEY_PREFIX ?? "";
    const redis = createRedis(env.REDIS_URL ?? "", silentLogger());
    const main = spawnTs("src/main.ts", [], env);
    try {
      await waitForRedis(redis, 2000);
      const [beat] = await waitFor(
        "the process's heartbeat",
        async () => {
          const beats = await readHeartbeats(redis, prefix);
          return beats.length ? beats : null;
        },
        30_000,
      );
      expect(beat?.pid).toBe(main.pid);
      // Every queue of the app, as src/workers/index.ts lists them.
      expect(beat?.queues).toEqual(queueWorkers(testEnv()).map((spec) => spec.queue));
      expect(beat?.queues).toContain("maintenance");
      expect(main.output()).toContain("jobs app started");

      main.kill("SIGTERM");
      expect(await main.exited).toBe(0);
      expect(main.output()).toContain("shutdown complete");
      expect(await readHeartbeats(redis, prefix)).toEqual([]);
    } finally {
      main.kill("SIGKILL");
      redis.disconnect();
    }
  }, 60_000);

  it("refuses to start with an invalid environment, naming every problem", async () => {
    const main = spawnTs("src/main.ts", [], {
      ...testEnvVars({ NODE_ENV: "production", JOBS_SHUTDOWN_TIMEOUT_MS: "5" }),
    });
    expect(await main.exited).toBe(1);
    for (const name of ["JOBS_SHUTDOWN_TIMEOUT_MS", "SMTP_URL", "TOKEN_SECRET"]) {
      expect(main.output()).toContain(name);
    }
  }, 60_000);
});
