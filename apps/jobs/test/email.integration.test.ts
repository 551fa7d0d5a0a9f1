import { randomBytes, randomUUID } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

import { composeEmail, emailTokenForJob, enqueueEmail, hashEmailToken } from "@lifeline/core";
import { createDb, type Db } from "@lifeline/db";
import { sendEmailJob, type EmailJob } from "@lifeline/queue";
import type { Job, JobsOptions } from "bullmq";
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from "vitest";

import { startTestSmtpServer, type TestSmtpServer } from "../src/testing";
import { emailWorker } from "../src/workers/email.worker";
import { startTestJobsApp, type TestJobsApp } from "./support/app";
import { testEnv } from "./support/env";
import { waitFor } from "./support/wait";

/**
 * The email worker against a real SMTP server in this process: what it sends, the link's
 * token (derived from the job, stored only hashed, the same on a retry), retries with
 * backoff, the failed set, and the file transport of a development run.
 */

const TOKEN_SECRET = randomBytes(32).toString("base64");
const FRONTEND_URL = "https://app.example.test";

const db: Db = createDb(inject("databaseUrl"), { maxConnections: 2 });
let smtp: TestSmtpServer;
beforeAll(async () => {
  smtp = await startTestSmtpServer();
});
afterAll(async () => {
  await smtp.close();
  await db.$disconnect();
});

const running: TestJobsApp[] = [];
afterEach(async () => {
  smtp.refuse(null);
  await Promise.all(running.splice(0).map((app) => app.stop()));
});

async function start(env: Record<string, string> = {}): Promise<TestJobsApp> {
  const app = await startTestJobsApp({
    env: testEnv({ SMTP_URL: smtp.url, TOKEN_SECRET, FRONTEND_URL, ...env }),
    workers: [emailWorker(2)],
  });
  running.push(app);
  return app;
}

async function newUser(verified = false) {
  return db.user.create({
    data: {
      email: `mail-${randomUUID().slice(0, 8)}@example.com`,
      passwordHash: "x".repeat(60),
      emailVerifiedAt: verified ? new Date() : null,
    },
  });
}

/** Adds an email job with the given options (tests shorten the backoff); returns its id. */
async function add(app: TestJobsApp, payload: EmailJob, options: JobsOptions = {}) {
  const jobId = `email-${randomUUID()}`;
  await app.app.dependencies.deps.jobs
    .queue("email")
    .add(sendEmailJob.name, payload, { ...sendEmailJob.options, ...options, jobId });
  return jobId;
}

async function settled(app: TestJobsApp, jobId: string, timeoutMs = 15_000): Promise<Job> {
  const queue = app.app.dependencies.deps.jobs.queue("email");
  await waitFor(
    `job ${jobId} to complete or fail`,
    async () => {
      const state = await queue.getJobState(jobId);
      return state === "completed" || state === "failed";
    },
    timeoutMs,
  );
  // Read after it settled: a job read before holds the fields of that moment.
  const job = await queue.getJob(jobId);
  if (!job) throw new Error(`job ${jobId} is gone`);
  return job;
}

const tokenIn = (text: string, page: string) =>
  new RegExp(`${FRONTEND_URL}/${page}\\?token=([A-Za-z0-9_-]+)`).exec(text)?.[1];

/** Every value stored under the app's Redis prefix: job payloads, results, failure reasons. */
async function redisDump(app: TestJobsApp): Promise<string> {
  const redis = app.app.dependencies.redis;
  const keys = await redis.keys(`${app.env.REDIS_KEY_PREFIX}*`);
  const values: unknown[] = [];
  for (const key of keys) {
    const type = await redis.type(key);
    if (type === "string") values.push(await redis.get(key));
    else if (type === "hash") values.push(await redis.hgetall(key));
    else if (type === "list") values.push(await redis.lrange(key, 0, -1));
    else if (type === "zset") values.push(await redis.zrange(key, "0", "-1"));
    else if (type === "set") values.push(await redis.smembers(key));
    else if (type === "stream") values.push(await redis.xrange(key, "-", "+"));
  }
  return JSON.stringify([keys, values]);
}

describe("the verification email", () => {
  it("sends a link whose token is derived from the job, stored only as its hash, and never in Redis or the logs", async () => {
    const app = await start();
    const user = await newUser();
    const jobId = await add(app, { template: "verify-email", userId: user.id });
    const email = await smtp.waitFor((m) => m.to.includes(user.email));

    expect(email.subject).toBe("Verify your email address");
    const token = tokenIn(email.text, "verify-email");
    expect(token).toBe(emailTokenForJob(Buffer.from(TOKEN_SECRET), jobId));
    expect(tokenIn(email.html, "verify-email")).toBe(token);
    expect(email.text).toContain("works once, for 24 hours");

    const rows = await db.emailToken.findMany({ where: { userId: user.id } });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ purpose: "verify_email", jobId, usedAt: null });
    expect(rows[0]?.tokenHash).toBe(hashEmailToken(token ?? ""));
    const ttl = (rows[0]?.expiresAt.getTime() ?? 0) - (rows[0]?.createdAt.getTime() ?? 0);
    expect(ttl).toBe(24 * 3600 * 1000);

    const job = await settled(app, jobId);
    expect(job.returnvalue).toMatchObject({ sent: true });
    const dump = await redisDump(app);
    expect(dump).toContain(jobId); // the dump did reach the job
    expect(dump).not.toContain(token);
    const logs = JSON.stringify(await app.logLines());
    expect(logs).toContain("email sent");
    expect(logs).not.toContain(token);
  });

  it("sends nothing, and succeeds, for a user who is gone or already verified", async () => {
    const app = await start();
    const verified = await newUser(true);
    const gone = await add(app, { template: "verify-email", userId: randomUUID() });
    const done = await add(app, { template: "verify-email", userId: verified.id });
    expect((await settled(app, gone)).returnvalue).toEqual({ sent: false, reason: "no_such_user" });
    expect((await settled(app, done)).returnvalue).toEqual({
      sent: false,
      reason: "already_verified",
    });
    expect(await db.emailToken.count({ where: { userId: verified.id } })).toBe(0);
  });
});

describe("retries", () => {
  it("a retry of the same job sends the same link: one token per job", async () => {
    const app = await start();
    const user = await newUser();
    smtp.refuse({ code: 451, message: "4.3.0 Try again later" });
    const jobId = await add(
      app,
      { template: "password-reset", email: user.email },
      { attempts: 3, backoff: { type: "fixed", delay: 1500 } },
    );
    await waitFor("the first attempt to fail", async () => {
      const job = await app.app.dependencies.deps.jobs.queue("email").getJob(jobId);
      return (job?.attemptsMade ?? 0) >= 1;
    });
    // The token was minted on the first attempt, before SMTP refused.
    expect(await db.emailToken.count({ where: { jobId } })).toBe(1);
    smtp.refuse(null);

    const email = await smtp.waitFor((m) => m.to.includes(user.email));
    expect(tokenIn(email.text, "reset-password")).toBe(
      emailTokenForJob(Buffer.from(TOKEN_SECRET), jobId),
    );
    expect(email.text).toContain("works once, for 1 hour");
    expect(await db.emailToken.count({ where: { userId: user.id } })).toBe(1);
    const job = await settled(app, jobId);
    expect(job.attemptsMade).toBe(2);
  });

  it("SMTP refusing for a while: retried with backoff, then kept in the failed set", async () => {
    const app = await start();
    const user = await newUser();
    smtp.refuse({ code: 421, message: "4.7.0 Service not available" });
    const before = smtp.attempts();
    const jobId = await add(
      app,
      { template: "failed-sign-ins", userId: user.id },
      { attempts: 3, backoff: { type: "exponential", delay: 200 } },
    );
    const job = await settled(app, jobId);
    expect(await job.getState()).toBe("failed");
    expect(job.attemptsMade).toBe(3);
    expect(smtp.attempts() - before).toBe(3);
    // Exponential: 200 ms then 400 ms between the three attempts.
    expect((job.finishedOn ?? 0) - job.timestamp).toBeGreaterThanOrEqual(600);
    expect(job.failedReason).toMatch(/421/);
    const counts = await app.app.dependencies.deps.jobs.queue("email").getJobCounts();
    expect(counts).toMatchObject({ failed: 1, completed: 0, waiting: 0, delayed: 0, active: 0 });
    const warnings = (await app.logLines()).filter((l) => l.msg.includes("will be retried"));
    expect(warnings).toHaveLength(2);
  });

  it("a permanent refusal (5xx) fails at once: retrying cannot help", async () => {
    const app = await start();
    const user = await newUser();
    smtp.refuse({ code: 550, message: "5.1.1 No such mailbox" });
    const jobId = await add(app, { template: "registration-attempt", userId: user.id });
    const job = await settled(app, jobId);
    expect(await job.getState()).toBe("failed");
    expect(job.attemptsMade).toBe(1);
    expect(job.failedReason).toMatch(/refused the message.*550/);
  });
});

describe("the other templates", () => {
  it("sends the registration-attempt, failed sign-ins and reconnect emails to the account's address", async () => {
    const app = await start();
    const user = await newUser(true);
    await enqueueEmail(app.app.dependencies.deps.jobs, {
      template: "registration-attempt",
      userId: user.id,
    });
    await enqueueEmail(app.app.dependencies.deps.jobs, {
      template: "failed-sign-ins",
      userId: user.id,
    });
    await enqueueEmail(app.app.dependencies.deps.jobs, {
      template: "reconnect-provider",
      userId: user.id,
      linkedAccountId: randomUUID(),
    });
    await waitFor(
      "three emails",
      () => smtp.received.filter((m) => m.to.includes(user.email)).length === 3,
    );
    const subjects = smtp.received.filter((m) => m.to.includes(user.email)).map((m) => m.subject);
    expect(subjects.sort()).toEqual([
      "Reconnect a linked account",
      "Repeated failed sign-ins on your Lifeline account",
      "Someone tried to sign up with your email address",
    ]);
  });

  it("sends no reset email for an address without an account", async () => {
    const app = await start();
    const email = `nobody-${randomUUID().slice(0, 8)}@example.com`;
    const jobId = await add(app, { template: "password-reset", email });
    expect((await settled(app, jobId)).returnvalue).toEqual({
      sent: false,
      reason: "no_such_user",
    });
    expect(smtp.received.some((m) => m.to.includes(email))).toBe(false);
  });
});

describe("a development run without SMTP_URL", () => {
  it("writes the message to an .eml file under MAIL_DIR and logs its path", async () => {
    const mailDir = mkdtempSync(path.join(tmpdir(), "lifeline-mail-"));
    const app = await startTestJobsApp({
      env: testEnv({ NODE_ENV: "development", MAIL_DIR: mailDir, FRONTEND_URL }),
      workers: [emailWorker(1)],
    });
    running.push(app);
    expect(app.env.SMTP_URL).toBeUndefined();
    const user = await newUser();
    const jobId = await add(app, { template: "verify-email", userId: user.id });
    const job = await settled(app, jobId);
    expect(job.returnvalue).toMatchObject({ sent: true });

    const files = readdirSync(mailDir);
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(/\.eml$/);
    const eml = readFileSync(path.join(mailDir, files[0] ?? ""), "utf8");
    expect(eml).toContain(`To: ${user.email}`);
    expect(eml).toContain("Subject: Verify your email address");
    const logged = (await app.logLines()).find((l) => l.msg.includes("written to a file"));
    expect(logged?.file).toBe(path.join(mailDir, files[0] ?? ""));
  });
});

describe("a job run again (composeEmail)", () => {
  const deps = (now = new Date()) => ({
    db,
    tokenSecret: Buffer.from(TOKEN_SECRET),
    now: () => now,
    config: {
      frontendUrl: FRONTEND_URL,
      verificationTtlSeconds: 3600,
      passwordResetTtlSeconds: 3600,
    },
  });

  it("sends the same link while it is unused, nothing once it was used, and refuses once it expired", async () => {
    const user = await newUser();
    const jobId = `email-${randomUUID()}`;
    const job = { template: "verify-email", userId: user.id } as const;
    const first = await composeEmail(deps(), job, jobId);
    const second = await composeEmail(deps(), job, jobId);
    expect(first.kind).toBe("send");
    expect(second).toEqual(first);

    await db.emailToken.update({ where: { jobId }, data: { usedAt: new Date() } });
    expect(await composeEmail(deps(), job, jobId)).toEqual({
      kind: "skip",
      reason: "link_already_used",
    });

    const late = await newUser();
    const lateJob = { template: "verify-email", userId: late.id } as const;
    const lateId = `email-${randomUUID()}`;
    await composeEmail(deps(), lateJob, lateId);
    expect(await composeEmail(deps(new Date(Date.now() + 3601_000)), lateJob, lateId)).toEqual({
      kind: "refuse",
      reason: "link_expired",
    });
  });

  it("after a change of secret (an ephemeral one and a restart), replaces the link: one live link per job", async () => {
    const user = await newUser();
    const jobId = `email-${randomUUID()}`;
    const job = { template: "verify-email", userId: user.id } as const;
    await composeEmail(deps(), job, jobId);
    const before = await db.emailToken.findUniqueOrThrow({ where: { jobId } });
    const rotated = { ...deps(), tokenSecret: randomBytes(32) };
    const again = await composeEmail(rotated, job, jobId);
    expect(again.kind).toBe("send");
    const after = await db.emailToken.findUniqueOrThrow({ where: { jobId } });
    expect(after.tokenHash).not.toBe(before.tokenHash);
    expect(after.tokenHash).toBe(hashEmailToken(emailTokenForJob(rotated.tokenSecret, jobId)));
    expect(after.expiresAt).toEqual(before.expiresAt);
  });

  it("never mails one user a link minted for another under the same job id", async () => {
    const [a, b] = [await newUser(), await newUser()];
    const jobId = `email-${randomUUID()}`;
    await composeEmail(deps(), { template: "verify-email", userId: a.id }, jobId);
    expect(await composeEmail(deps(), { template: "verify-email", userId: b.id }, jobId)).toEqual({
      kind: "refuse",
      reason: "job_id_conflict",
    });
    expect(await db.emailToken.count({ where: { userId: b.id } })).toBe(0);
  });
});
