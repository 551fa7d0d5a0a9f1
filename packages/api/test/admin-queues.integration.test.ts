import { randomUUID } from "node:crypto";

import { authenticate } from "@lifeline/core";
import { silentLogger } from "@lifeline/logger";
import {
  bullPrefix,
  createRedis,
  purgeExpiredJob,
  QUEUE_NAMES,
  sendEmailJob,
  startHeartbeat,
} from "@lifeline/queue";
import { UnrecoverableError, Worker, type Job } from "bullmq";
import type { Redis } from "ioredis";
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from "vitest";

import { appRouter, createCallerFactory, createInnerContext, listProcedures } from "../src/index";
import { createHarness, expectTRPCError, uniqueEmail, type Harness } from "./harness";

/**
 * The admin procedures over tRPC (their REST routes: apps/server/test/admin-rest.integration.test.ts),
 * against real BullMQ queues under this harness's own Redis prefix, so counts start at zero.
 */

const PASSWORD = "correct horse battery";

let h: Harness;
let workerRedis: Redis;
const workers: Worker[] = [];
const stops: (() => Promise<void>)[] = [];

beforeAll(async () => {
  h = await createHarness();
  workerRedis = createRedis(inject("redisUrl"), silentLogger(), "worker");
});
afterEach(async () => {
  h.setNow(null);
  await Promise.all(workers.splice(0).map((w) => w.close()));
  await Promise.all(stops.splice(0).map((stop) => stop()));
  // Each test starts from empty queues.
  for (const name of QUEUE_NAMES) await h.deps.jobs.queue(name).obliterate({ force: true });
});
afterAll(async () => {
  workerRedis.disconnect();
  await h.close();
});

/** A verified user, signed in; `admin` sets the role in the database (as pnpm admin:grant does). */
async function signIn(label: string, admin = false) {
  const email = uniqueEmail(label);
  const user = await h.db.user.create({
    data: {
      email,
      passwordHash: await h.deps.passwords.hash(PASSWORD),
      emailVerifiedAt: new Date(),
      role: admin ? "admin" : "user",
    },
  });
  const { accessToken } = await (await h.caller()).auth.login({ email, password: PASSWORD });
  return { user, accessToken, caller: await h.caller(accessToken) };
}

type Processor = (job: Job) => Promise<unknown>;

/** A BullMQ worker on `queue` under the harness's prefix, closed after the test. */
function runWorker(queue: string, processor: Processor): Worker {
  const worker = new Worker(queue, processor, {
    connection: workerRedis,
    prefix: bullPrefix(h.redisKeyPrefix),
  });
  workers.push(worker);
  return worker;
}

/** Resolves when `worker` has settled `count` jobs the given way. */
function settled(worker: Worker, event: "completed" | "failed", count = 1): Promise<void> {
  return new Promise((resolve) => {
    let seen = 0;
    worker.on(event, () => {
      if (++seen === count) resolve();
    });
  });
}

const email = (userId = randomUUID()) => ({ template: "verify-email" as const, userId });

/** Enqueues one email job and lets a worker fail it for good; returns its id. */
async function failedEmailJob(reason = "SMTP said no"): Promise<string> {
  const id = await h.deps.jobs.enqueue(sendEmailJob, email());
  const worker = runWorker("email", () => Promise.reject(new UnrecoverableError(reason)));
  await settled(worker, "failed");
  await worker.close();
  return id;
}

const adminProcedures = listProcedures(appRouter).filter((p) => p.procedure.startsWith("admin."));

/** A valid input for each admin procedure. */
const VALID_INPUT: Record<string, unknown> = {
  "admin.queues": undefined,
  "admin.failedJobs": { queue: "email" },
  "admin.retryJob": { queue: "email", id: "1" },
  "admin.removeJob": { queue: "email", id: "1" },
};

type Caller = Awaited<ReturnType<Harness["caller"]>>;

function call(caller: Caller, procedure: string, input: unknown): Promise<unknown> {
  const name = procedure.slice("admin.".length) as keyof Caller["admin"];
  return (caller.admin[name] as (input: unknown) => Promise<unknown>)(input);
}

describe("who may call the admin procedures", () => {
  it("covers every admin procedure (a new one must be added to VALID_INPUT)", () => {
    expect(adminProcedures.map((p) => p.procedure).sort()).toEqual(Object.keys(VALID_INPUT).sort());
  });

  it("a signed-in user who is not an admin gets FORBIDDEN from every one, before any input check", async () => {
    const { caller } = await signIn("plain");
    for (const { procedure } of adminProcedures) {
      const error = await expectTRPCError(
        call(caller, procedure, VALID_INPUT[procedure]),
        "FORBIDDEN",
      );
      expect(error.message, procedure).toBe("This needs an administrator");
      // A bad input does not get as far as validation: a non-admin learns nothing from a 400.
      await expectTRPCError(call(caller, procedure, { queue: "nope", id: "" }), "FORBIDDEN");
    }
  });

  it("an anonymous caller gets UNAUTHORIZED", async () => {
    const anon = await h.caller();
    for (const { procedure } of adminProcedures) {
      await expectTRPCError(call(anon, procedure, VALID_INPUT[procedure]), "UNAUTHORIZED");
    }
  });

  it("the role is read with the session: a revoked admin is refused at the next request, same token", async () => {
    const { user, accessToken, caller } = await signIn("demoted", true);
    await expect(caller.admin.queues()).resolves.toBeDefined();
    await h.db.user.update({ where: { id: user.id }, data: { role: "user" } });
    // A caller is one request (one context); the next request checks the session again.
    await expectTRPCError((await h.caller(accessToken)).admin.queues(), "FORBIDDEN");
  });

  it("auth.me keeps its shape: the role is not part of the public user", async () => {
    const { caller } = await signIn("shape", true);
    const { user } = await caller.auth.me();
    expect(user).not.toHaveProperty("role");
  });
});

describe("admin.queues", () => {
  it("counts every queue's jobs by state and ages the oldest waiting one", async () => {
    const { caller } = await signIn("counts", true);
    const empty = await caller.admin.queues();
    expect(empty.queues.map((q) => q.name)).toEqual([...QUEUE_NAMES]);
    for (const queue of empty.queues) {
      expect(queue).toEqual({
        name: queue.name,
        paused: false,
        counts: { waiting: 0, active: 0, delayed: 0, prioritized: 0, failed: 0, completed: 0 },
        oldestWaitingSeconds: null,
      });
    }
    expect(empty.processes).toEqual([]);

    await failedEmailJob();
    await h.deps.jobs.enqueue(sendEmailJob, email());
    await h.deps.jobs.enqueue(sendEmailJob, email());
    await h.deps.jobs.enqueue(sendEmailJob, email(), { delay: 60_000 });
    await h.deps.jobs.enqueue(purgeExpiredJob, {});
    h.setNow(new Date(Date.now() + 90_000));

    const { queues } = await caller.admin.queues();
    const byName = Object.fromEntries(queues.map((q) => [q.name, q]));
    expect(byName.email?.counts).toEqual({
      waiting: 2,
      active: 0,
      delayed: 1,
      prioritized: 0,
      failed: 1,
      completed: 0,
    });
    expect(byName.maintenance?.counts.waiting).toBe(1);
    // The clock moved 90 s past the enqueueing.
    expect(byName.email?.oldestWaitingSeconds).toBeGreaterThanOrEqual(89);
    expect(byName.email?.oldestWaitingSeconds).toBeLessThan(100);
  });

  it("reports a paused queue", async () => {
    const { caller } = await signIn("paused", true);
    await h.deps.jobs.queue("maintenance").pause();
    try {
      const { queues } = await caller.admin.queues();
      expect(queues.find((q) => q.name === "maintenance")?.paused).toBe(true);
      expect(queues.find((q) => q.name === "email")?.paused).toBe(false);
    } finally {
      await h.deps.jobs.queue("maintenance").resume();
    }
  });

  it("lists the live jobs processes from their heartbeats", async () => {
    const { caller } = await signIn("processes", true);
    const beat = startHeartbeat({
      redis: h.redis,
      redisKeyPrefix: h.redisKeyPrefix,
      instance: "jobs-host-1234",
      queues: ["email", "maintenance"],
    });
    stops.push(beat.stop);
    await expect
      .poll(async () => (await caller.admin.queues()).processes)
      .toEqual([
        {
          instance: "jobs-host-1234",
          queues: ["email", "maintenance"],
          lastBeatAt: expect.any(String),
        },
      ]);
  });
});

describe("admin.failedJobs", () => {
  it("lists failed jobs newest first with reason, attempts, times and payload, bounded by limit", async () => {
    const { caller } = await signIn("failed", true);
    const first = await failedEmailJob("first failure");
    const second = await failedEmailJob("second failure");

    const all = await caller.admin.failedJobs({ queue: "email" });
    expect(all.queue).toBe("email");
    expect(all.total).toBe(2);
    expect(all.jobs.map((j) => j.id)).toEqual([second, first]);
    expect(all.jobs[0]).toEqual({
      id: second,
      name: "email.send",
      attemptsMade: 1,
      failedReason: "second failure",
      createdAt: expect.any(String),
      processedAt: expect.any(String),
      failedAt: expect.any(String),
      payload: { template: "verify-email", userId: expect.any(String) },
    });

    const one = await caller.admin.failedJobs({ queue: "email", limit: 1 });
    expect(one.total).toBe(2);
    expect(one.jobs.map((j) => j.id)).toEqual([second]);
    expect((await caller.admin.failedJobs({ queue: "maintenance" })).jobs).toEqual([]);
  });

  it("redacts a secret that got into a payload by mistake", async () => {
    const { caller } = await signIn("redact", true);
    // Straight onto the queue: the producer's schema would have stripped the extra field.
    await h.deps.jobs
      .queue("email")
      .add("email.send", { ...email(), token: "s3cret-token", nested: { password: "hunter2" } });
    const worker = runWorker("email", () => Promise.reject(new UnrecoverableError("no")));
    await settled(worker, "failed");

    const { jobs } = await caller.admin.failedJobs({ queue: "email" });
    expect(jobs[0]?.payload).toMatchObject({
      template: "verify-email",
      token: "[redacted]",
      nested: { password: "[redacted]" },
    });
    expect(JSON.stringify(jobs)).not.toMatch(/s3cret|hunter2/);
  });
});

describe("admin.retryJob and admin.removeJob", () => {
  it("retries a failed job: it runs again, with a fresh attempt budget, and the retry is audited", async () => {
    const { user, caller } = await signIn("retry", true);
    const id = await failedEmailJob();

    const runs: string[] = [];
    const worker = runWorker("email", async (job) => {
      runs.push(job.id ?? "");
    });
    const done = settled(worker, "completed");
    await expect(caller.admin.retryJob({ queue: "email", id })).resolves.toEqual({ ok: true });
    await done;
    expect(runs).toEqual([id]);

    const { queues } = await caller.admin.queues();
    expect(queues.find((q) => q.name === "email")?.counts).toMatchObject({
      failed: 0,
      completed: 1,
    });
    const audit = await h.db.auditEvent.findMany({
      where: { userId: user.id, type: "admin_job_retried" },
    });
    expect(audit.map((e) => e.data)).toEqual([
      { queue: "email", jobId: id, jobName: "email.send" },
    ]);
  });

  it("retries only failed jobs: a waiting one is CONFLICT, an unknown id NOT_FOUND", async () => {
    const { user, caller } = await signIn("retry-refused", true);
    const waiting = await h.deps.jobs.enqueue(sendEmailJob, email());
    const conflict = await expectTRPCError(
      caller.admin.retryJob({ queue: "email", id: waiting }),
      "CONFLICT",
    );
    expect(conflict.message).toBe(`Only failed jobs can be retried; job ${waiting} is waiting`);
    await expectTRPCError(caller.admin.retryJob({ queue: "email", id: "999999" }), "NOT_FOUND");
    // The same id in another queue is another job.
    await expectTRPCError(
      caller.admin.retryJob({ queue: "maintenance", id: waiting }),
      "NOT_FOUND",
    );
    expect(
      await h.db.auditEvent.count({ where: { userId: user.id, type: "admin_job_retried" } }),
    ).toBe(0);
  });

  it("removes a failed job, audited; then it is NOT_FOUND", async () => {
    const { user, caller } = await signIn("remove", true);
    const id = await failedEmailJob();
    await expect(caller.admin.removeJob({ queue: "email", id })).resolves.toEqual({ ok: true });
    expect((await caller.admin.failedJobs({ queue: "email" })).total).toBe(0);
    expect(await h.deps.jobs.queue("email").getJob(id)).toBeUndefined();
    await expectTRPCError(caller.admin.removeJob({ queue: "email", id }), "NOT_FOUND");
    const audit = await h.db.auditEvent.findMany({
      where: { userId: user.id, type: "admin_job_removed" },
    });
    expect(audit.map((e) => e.data)).toEqual([
      { queue: "email", jobId: id, jobName: "email.send" },
    ]);
  });

  it("refuses to remove a running job (CONFLICT) and leaves it running", async () => {
    const { caller } = await signIn("remove-active", true);
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const id = await h.deps.jobs.enqueue(sendEmailJob, email());
    const worker = runWorker("email", () => held);
    await expect.poll(() => h.deps.jobs.queue("email").getJobState(id)).toBe("active");
    const done = settled(worker, "completed");
    await expectTRPCError(caller.admin.removeJob({ queue: "email", id }), "CONFLICT");
    release();
    await done;
  });
});

describe("input validation (as an admin)", () => {
  it("refuses bad queues, limits and ids with BAD_REQUEST naming the field", async () => {
    const { caller } = await signIn("inputs", true);
    const cases: [Promise<unknown>, string][] = [
      [call(caller, "admin.failedJobs", { queue: "nope" }), "queue"],
      [caller.admin.failedJobs({ queue: "email", limit: 0 }), "limit"],
      [caller.admin.failedJobs({ queue: "email", limit: 101 }), "limit"],
      [caller.admin.failedJobs({ queue: "email", limit: 1.5 }), "limit"],
      [call(caller, "admin.failedJobs", { queue: "email", limit: "many" }), "limit"],
      [caller.admin.retryJob({ queue: "email", id: "" }), "id"],
      [caller.admin.retryJob({ queue: "email", id: "a:b" }), "id"],
      [caller.admin.removeJob({ queue: "email", id: "x".repeat(201) }), "id"],
      [caller.admin.removeJob({ queue: "email", id: "has space" }), "id"],
      [call(caller, "admin.removeJob", { queue: "email" }), "id"],
    ];
    for (const [promise, field] of cases) {
      const error = await expectTRPCError(promise, "BAD_REQUEST");
      expect(error.message, field).toContain(field);
    }
    // A numeric string is a limit too: the REST query string sends exactly that.
    await expect(
      call(caller, "admin.failedJobs", { queue: "email", limit: "5" }),
    ).resolves.toMatchObject({ jobs: [] });
  });
});

describe("with Redis down", () => {
  it("answers SERVICE_UNAVAILABLE within the queue timeout instead of hanging", async () => {
    // A real admin session, checked while Postgres and Redis are up; then Redis goes away.
    const { accessToken } = await signIn("outage", true);
    const auth = await authenticate(h.deps, accessToken);
    const down = await createHarness({ redis: createRedis("redis://127.0.0.1:1", silentLogger()) });
    try {
      const ctx = createInnerContext(down.deps, {
        requestId: randomUUID(),
        ip: null,
        userAgent: null,
        auth,
      });
      const caller = createCallerFactory(appRouter)(ctx);
      const started = performance.now();
      await expectTRPCError(caller.admin.queues(), "SERVICE_UNAVAILABLE");
      await expectTRPCError(
        caller.admin.retryJob({ queue: "email", id: "1" }),
        "SERVICE_UNAVAILABLE",
      );
      expect(performance.now() - started).toBeLessThan(8000);
    } finally {
      await down.close();
    }
  });
});
