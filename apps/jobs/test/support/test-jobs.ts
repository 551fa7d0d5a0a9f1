import { defineJob } from "@lifeline/queue";
import { z } from "zod";

// Job kinds that exist only in these tests. They run on the maintenance queue: each test has
// a Redis key prefix of its own, so its queue is its own too.

/** Does nothing but be counted. */
export const recordJob = defineJob({
  name: "test.record",
  queue: "maintenance",
  payload: z.object({ n: z.number().int() }),
});

/**
 * Always fails; its payload has a field named like a secret, to see the failure log redact
 * it. Four attempts, 200 ms base backoff: retries after 200, 400 and 800 ms.
 */
export const failingJob = defineJob({
  name: "test.fail",
  queue: "maintenance",
  payload: z.object({ userId: z.string().min(1).max(64), token: z.string().max(200) }),
  options: { attempts: 4, backoff: { type: "exponential", delay: 200 } },
});

/** What the fixture process's slow handler runs (see fixtures/jobs-process.ts). */
export const slowJob = defineJob({
  name: "test.slow",
  queue: "maintenance",
  payload: z.object({}),
});

/** What the fixture process's schedule enqueues on every slot. */
export const tickJob = defineJob({
  name: "test.tick",
  queue: "maintenance",
  payload: z.object({}),
});

/** Redis lists the fixture process appends to (under the test's prefix). */
export const recordKeys = (prefix: string) => ({
  ticks: `${prefix}test:ticks`,
  started: `${prefix}test:started`,
  completed: `${prefix}test:completed`,
});
