import { randomBytes, randomUUID } from "node:crypto";

import { deleteOldAuditEvents, purgeExpired } from "@lifeline/core";
import { createDb, type Db } from "@lifeline/db";
import { auditRetentionJob, purgeExpiredJob } from "@lifeline/queue";
import { afterAll, beforeEach, describe, expect, inject, it } from "vitest";

import { maintenanceWorker } from "../src/workers/maintenance.worker";
import { startTestJobsApp } from "./support/app";
import { testEnv } from "./support/env";
import { waitFor } from "./support/wait";

const NOW = new Date("2031-03-10T12:00:00.000Z");
const MINUTE = 60_000;
const DAY = 24 * 3600 * 1000;
const at = (offsetMs: number) => new Date(NOW.getTime() + offsetMs);
const hash = () => randomBytes(32).toString("hex");

const db: Db = createDb(inject("databaseUrl"), { maxConnections: 2 });
afterAll(() => db.$disconnect());

/** Rows on both sides of every rule, for one user; returns the ids that must survive. */
async function seed() {
  const user = await db.user.create({
    data: { email: `maint-${randomUUID()}@example.com`, passwordHash: "x".repeat(60) },
  });
  const session = async (name: string, fields: { expiresAt: Date; revokedAt?: Date }) => {
    const created = await db.session.create({
      data: { userId: user.id, absoluteExpiresAt: at(30 * DAY), userAgent: name, ...fields },
    });
    await db.refreshToken.createMany({
      data: [
        { tokenHash: hash(), sessionId: created.id, rotatedAt: at(-MINUTE) },
        { tokenHash: hash(), sessionId: created.id },
      ],
    });
    return created.id;
  };
  const live = await session("live", { expiresAt: at(DAY) });
  await session("expired", { expiresAt: at(-MINUTE) });
  await session("ended 8 days ago", { expiresAt: at(DAY), revokedAt: at(-8 * DAY) });
  const recentlyEnded = await session("ended yesterday", {
    expiresAt: at(DAY),
    revokedAt: at(-DAY),
  });

  const emailToken = async (fields: { expiresAt: Date; usedAt?: Date }) =>
    (
      await db.emailToken.create({
        data: {
          userId: user.id,
          purpose: "verify_email",
          tokenHash: hash(),
          jobId: `job-${randomUUID()}`,
          ...fields,
        },
      })
    ).id;
  const usable = await emailToken({ expiresAt: at(DAY) });
  await emailToken({ expiresAt: at(-MINUTE) });
  await emailToken({ expiresAt: at(DAY), usedAt: at(-2 * DAY) });
  // Used a minute ago: kept a day, so a retried email job still finds its link was used.
  const justUsed = await emailToken({ expiresAt: at(DAY), usedAt: at(-MINUTE) });

  const audit = async (ageMs: number) =>
    (await db.auditEvent.create({ data: { userId: user.id, type: "test", createdAt: at(-ageMs) } }))
      .id;
  await audit(400 * DAY);
  await audit(366 * DAY);
  const recentAudits = [await audit(364 * DAY), await audit(DAY)];

  return {
    userId: user.id,
    sessions: [live, recentlyEnded],
    emailTokens: [usable, justUsed].sort(),
    recentAudits,
  };
}

async function remaining(userId: string) {
  const sessions = await db.session.findMany({ where: { userId }, select: { id: true } });
  const tokens = await db.refreshToken.findMany({
    where: { session: { userId } },
    select: { sessionId: true },
  });
  const emailTokens = await db.emailToken.findMany({ where: { userId }, select: { id: true } });
  const audits = await db.auditEvent.findMany({ where: { userId }, select: { id: true } });
  return {
    sessions: sessions.map((s) => s.id).sort(),
    refreshTokenSessions: [...new Set(tokens.map((t) => t.sessionId))].sort(),
    refreshTokens: tokens.length,
    emailTokens: emailTokens.map((t) => t.id).sort(),
    audits: audits.map((a) => a.id).sort(),
  };
}

beforeEach(async () => {
  // The purges count every row of the run's database, and NOW is years ahead, so rows other
  // test files left would count too: each test starts from empty tables (files run one at a
  // time, so no other file is using them).
  await db.session.deleteMany({});
  await db.emailToken.deleteMany({});
  await db.auditEvent.deleteMany({});
});

describe("purgeExpired", () => {
  it("deletes expired and long-ended sessions with their refresh tokens, used and expired email tokens; a second run changes nothing", async () => {
    const kept = await seed();
    expect(await purgeExpired(db, NOW)).toEqual({ sessions: 2, emailTokens: 2 });
    const after = await remaining(kept.userId);
    expect(after.sessions).toEqual([...kept.sessions].sort());
    expect(after.refreshTokenSessions).toEqual([...kept.sessions].sort());
    expect(after.refreshTokens).toBe(4);
    expect(after.emailTokens).toEqual(kept.emailTokens);

    expect(await purgeExpired(db, NOW)).toEqual({ sessions: 0, emailTokens: 0 });
    expect(await remaining(kept.userId)).toEqual(after);
  });
});

describe("deleteOldAuditEvents", () => {
  it("deletes events older than the retention only; a second run changes nothing", async () => {
    const kept = await seed();
    expect(await deleteOldAuditEvents(db, NOW, 365)).toBe(2);
    const after = await remaining(kept.userId);
    expect(after.audits).toEqual([...kept.recentAudits].sort());
    expect(await deleteOldAuditEvents(db, NOW, 365)).toBe(0);
    expect(await remaining(kept.userId)).toEqual(after);
  });
});

describe("the maintenance jobs", () => {
  it("do their work on the app's clock, and a second run of each changes nothing", async () => {
    const kept = await seed();
    const running = await startTestJobsApp({
      env: testEnv({ AUDIT_RETENTION_DAYS: "365" }),
      workers: [maintenanceWorker(1)],
      now: () => NOW,
    });
    try {
      const { jobs } = running.app.dependencies.deps;
      const queue = jobs.queue("maintenance");
      const run = async (job: typeof purgeExpiredJob, jobId: string) => {
        await jobs.enqueue(job, {}, { jobId });
        await waitFor(
          `${jobId} to complete`,
          async () => (await queue.getJobState(jobId)) === "completed",
        );
        return (await queue.getJob(jobId))?.returnvalue as unknown;
      };
      expect(await run(purgeExpiredJob, "purge-1")).toEqual({ sessions: 2, emailTokens: 2 });
      expect(await run(auditRetentionJob, "audit-1")).toEqual({ deleted: 2 });
      const after = await remaining(kept.userId);
      expect(after.sessions).toEqual([...kept.sessions].sort());
      expect(after.emailTokens).toEqual(kept.emailTokens);
      expect(after.audits).toEqual([...kept.recentAudits].sort());

      expect(await run(purgeExpiredJob, "purge-2")).toEqual({ sessions: 0, emailTokens: 0 });
      expect(await run(auditRetentionJob, "audit-2")).toEqual({ deleted: 0 });
      expect(await remaining(kept.userId)).toEqual(after);
    } finally {
      await running.stop();
    }
  });
});
