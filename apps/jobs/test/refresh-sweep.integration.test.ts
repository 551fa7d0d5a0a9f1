import { SWEEP_INTERVAL_MS } from "@lifeline/core";
import { createDb, type Db } from "@lifeline/db";
import type { ProviderId } from "@lifeline/providers";
import { createEmulators, providerHandlers, type BaseEmulator } from "@lifeline/providers/testing";
import { refreshAccountJob, refreshSweepJob } from "@lifeline/queue";
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, inject, it } from "vitest";

import { accountsWorker } from "../src/workers/accounts.worker";
import { startTestJobsApp, type TestJobsApp } from "./support/app";
import { testEnv } from "./support/env";
import {
  DAY,
  emulatedProvidersConfig,
  emulatedProvidersEnv,
  HOUR,
  seedLinkedAccount,
  testCipher,
  tokenCalls,
} from "./support/linked-accounts";
import { waitFor } from "./support/wait";

/**
 * The accounts queue in a running jobs app: the sweep finds the due accounts and enqueues one
 * refresh each; the workers refresh them against the emulators (msw, in this process); a
 * transient failure is retried by BullMQ.
 */

const server = setupServer();
const cipher = testCipher();
let emulators: Record<ProviderId, BaseEmulator>;
let db: Db;
let app: TestJobsApp;

beforeAll(() => {
  server.listen({ onUnhandledRequest: "error" });
  db = createDb(inject("databaseUrl"));
});
afterAll(async () => {
  server.close();
  await db.$disconnect();
});

beforeEach(async () => {
  await db.linkedAccount.deleteMany({});
  emulators = createEmulators({ media: 0 });
  server.resetHandlers(...providerHandlers(emulatedProvidersConfig(), emulators));
  app = await startTestJobsApp({
    env: testEnv(emulatedProvidersEnv()),
    workers: [accountsWorker(4)],
  });
});
afterEach(() => app.stop());

const queue = () => app.app.dependencies.deps.jobs.queue("accounts");
const row = (id: string) => db.linkedAccount.findUniqueOrThrow({ where: { id } });

async function runSweep(jobId: string): Promise<void> {
  await app.app.dependencies.deps.jobs.enqueue(refreshSweepJob, {}, { jobId });
  await waitFor("the sweep and its refreshes", async () => {
    const counts = await queue().getJobCounts("waiting", "active", "prioritized");
    const pending = (counts.waiting ?? 0) + (counts.active ?? 0) + (counts.prioritized ?? 0);
    const sweep = await queue().getJob(jobId);
    return (await sweep?.isCompleted()) && pending === 0;
  });
}

describe("the refresh sweep", () => {
  it("refreshes every due account once, and a second sweep in the slot adds nothing", async () => {
    // Close to a slot boundary the two sweeps below would fall in different slots.
    if (SWEEP_INTERVAL_MS - (Date.now() % SWEEP_INTERVAL_MS) < 20_000) {
      await new Promise((resolve) => setTimeout(resolve, 21_000));
    }
    const due = await Promise.all([
      seedLinkedAccount(db, cipher, emulators.x, { expiresInMs: HOUR }),
      seedLinkedAccount(db, cipher, emulators.google, { expiresInMs: 20 * 60_000 }),
      seedLinkedAccount(db, cipher, emulators.instagram, {
        ageMs: 40 * DAY,
        expiresInMs: 20 * DAY,
      }),
    ]);
    const later = await seedLinkedAccount(db, cipher, emulators.microsoft, {
      expiresInMs: 10 * HOUR,
    });

    await runSweep("sweep-1");
    for (const account of due) {
      const after = await row(account.id);
      expect(after.lastRefreshAt).not.toBeNull();
      expect(after.accessTokenEnc).not.toBe(null);
    }
    expect((await row(later.id)).lastRefreshAt).toBeNull();
    const refreshJobs = (await queue().getJobs(["completed"])).filter(
      (job) => job.name === refreshAccountJob.name,
    );
    expect(refreshJobs.map((job) => (job.data as { accountId: string }).accountId).sort()).toEqual(
      due.map((d) => d.id).sort(),
    );

    // Again within the slot (a retried or caught-up sweep): the same ids, nothing new.
    await runSweep("sweep-2");
    const again = (await queue().getJobs(["completed"])).filter(
      (job) => job.name === refreshAccountJob.name,
    );
    expect(again).toHaveLength(due.length);
    expect(tokenCalls(emulators.x) + tokenCalls(emulators.google)).toBe(2);
    expect(tokenCalls(emulators.instagram)).toBe(1);
  });

  it("a 503 fails the job for a retry with backoff; the account is unchanged until it succeeds", async () => {
    const account = await seedLinkedAccount(db, cipher, emulators.google, {
      expiresInMs: 20 * 60_000,
    });
    const before = await row(account.id);
    emulators.google.faults.add({
      path: "/token",
      response: { type: "server_error", status: 503 },
    });

    await app.app.dependencies.deps.jobs.enqueue(refreshSweepJob, {}, { jobId: "sweep-503" });
    const job = await waitFor("the refresh to fail once", async () => {
      const delayed = await queue().getJobs(["delayed"]);
      return delayed.find((j) => j.name === refreshAccountJob.name);
    });
    expect(job.attemptsMade).toBe(1);
    expect(job.failedReason).toMatch(/^retry_later: /);
    const during = await row(account.id);
    expect(during.status).toBe("active");
    expect(during.accessTokenEnc).toBe(before.accessTokenEnc);
    expect(during.refreshTokenEnc).toBe(before.refreshTokenEnc);
    expect(during.lastRefreshError).toMatch(/^retry_later: /);

    // The backoff is a minute; run the retry now.
    await job.promote();
    await waitFor("the retry to succeed", async () => (await row(account.id)).lastRefreshAt);
    const after = await row(account.id);
    expect(after.status).toBe("active");
    expect(after.lastRefreshError).toBeNull();
    expect(after.accessTokenEnc).not.toBe(before.accessTokenEnc);
  });
});
