import { randomUUID } from "node:crypto";

import { encryptAccountTokens, recordRunError, RUN_ERRORS_KEPT } from "@lifeline/core";
import { importPageJobId } from "@lifeline/queue";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { createHarness, expectTRPCError, type Harness } from "./harness";
import { signInMediaUser } from "./media-support";

/**
 * imports.start, imports.get and imports.list against the real Postgres and Redis. No jobs
 * process runs here: the runs stay queued, which is what the API itself decides.
 */

let h: Harness;

beforeAll(async () => {
  h = await createHarness();
});
afterAll(async () => {
  await h.close();
});

async function linkedAccount(
  userId: string,
  status: "active" | "needs_reauth" | "revoked" = "active",
): Promise<string> {
  const id = randomUUID();
  await h.db.linkedAccount.create({
    data: {
      id,
      userId,
      provider: "instagram",
      providerAccountId: `ig-${id}`,
      status,
      ...encryptAccountTokens(h.deps.tokenCipher, id, {
        accessToken: "IGAAT-test-token",
        expiresAt: null,
        scopes: ["instagram_business_basic"],
        issuedAt: new Date(),
      }),
    },
  });
  return id;
}

describe("imports.start", () => {
  it("answers at once with a queued run and enqueues its first page", async () => {
    const { user, caller } = await signInMediaUser(h, "imp-start");
    const accountId = await linkedAccount(user.id);
    const { run, started } = await caller.imports.start({ id: accountId });
    expect(started).toBe(true);
    expect(run).toMatchObject({
      linkedAccountId: accountId,
      provider: "instagram",
      trigger: "manual",
      status: "queued",
      counts: { seen: 0, new: 0, existing: 0, skipped: 0, failed: 0, pending: 0 },
      errors: [],
      error: null,
      startedAt: null,
    });
    const job = await h.deps.jobs.queue("imports").getJob(importPageJobId(run.id, 0));
    expect(job?.data).toEqual({ runId: run.id, page: 0 });
    const row = await h.db.importRun.findUniqueOrThrow({ where: { id: run.id } });
    expect(row.activeFor).toBe(accountId);
  });

  it("returns the running run to a second start (one run per account)", async () => {
    const { user, caller } = await signInMediaUser(h, "imp-twice");
    const accountId = await linkedAccount(user.id);
    const first = await caller.imports.start({ id: accountId });
    const [second, third] = await Promise.all([
      caller.imports.start({ id: accountId }),
      caller.imports.start({ id: accountId }),
    ]);
    expect(second).toMatchObject({ started: false, run: { id: first.run.id } });
    expect(third).toMatchObject({ started: false, run: { id: first.run.id } });
    expect(await h.db.importRun.count({ where: { linkedAccountId: accountId } })).toBe(1);
  });

  it("a second start repairs the running run's lost page job", async () => {
    const { user, caller } = await signInMediaUser(h, "imp-revive");
    const accountId = await linkedAccount(user.id);
    const { run } = await caller.imports.start({ id: accountId });
    const queue = h.deps.jobs.queue("imports");
    const id = importPageJobId(run.id, 0);
    // Lost: the job is gone.
    await (await queue.getJob(id))?.remove();
    await caller.imports.start({ id: accountId });
    expect(await (await queue.getJob(id))?.getState()).toBe("waiting");
  });

  it("starts again once the previous run has ended", async () => {
    const { user, caller } = await signInMediaUser(h, "imp-again");
    const accountId = await linkedAccount(user.id);
    const first = await caller.imports.start({ id: accountId });
    await h.db.importRun.update({
      where: { id: first.run.id },
      data: { status: "completed", activeFor: null, finishedAt: new Date() },
    });
    const second = await caller.imports.start({ id: accountId });
    expect(second.started).toBe(true);
    expect(second.run.id).not.toBe(first.run.id);
  });

  it("is NOT_FOUND for another user's account, exactly as for an unknown id", async () => {
    const owner = await signInMediaUser(h, "imp-owner");
    const other = await signInMediaUser(h, "imp-other");
    const accountId = await linkedAccount(owner.user.id);
    const theirs = await expectTRPCError(
      other.caller.imports.start({ id: accountId }),
      "NOT_FOUND",
    );
    const unknown = await expectTRPCError(
      other.caller.imports.start({ id: randomUUID() }),
      "NOT_FOUND",
    );
    expect(theirs.message).toBe(unknown.message);
    expect(await h.db.importRun.count({ where: { linkedAccountId: accountId } })).toBe(0);
  });

  it("refuses an account that must be linked again (CONFLICT, reason needs_relink)", async () => {
    const { user, caller } = await signInMediaUser(h, "imp-relink");
    for (const status of ["needs_reauth", "revoked"] as const) {
      const accountId = await linkedAccount(user.id, status);
      const error = await expectTRPCError(caller.imports.start({ id: accountId }), "CONFLICT");
      expect(error.cause).toMatchObject({ reason: "needs_relink" });
      expect(await h.db.importRun.count({ where: { linkedAccountId: accountId } })).toBe(0);
    }
  });

  it("refuses bad input with 400s and needs a session", async () => {
    const { caller } = await signInMediaUser(h, "imp-bad");
    for (const input of [{ id: "not-a-uuid" }, { id: "" }, {}, { id: 42 }, null]) {
      await expectTRPCError(caller.imports.start(input as never), "BAD_REQUEST");
    }
    await expectTRPCError((await h.caller()).imports.start({ id: randomUUID() }), "UNAUTHORIZED");
  });
});

describe("imports.get and imports.list", () => {
  it("show the caller's runs only, newest first, in bounded pages", async () => {
    const { user, caller } = await signInMediaUser(h, "imp-list");
    const other = await signInMediaUser(h, "imp-list-other");
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const accountId = await linkedAccount(user.id);
      ids.push((await caller.imports.start({ id: accountId })).run.id);
    }
    const otherRun = await other.caller.imports.start({
      id: await linkedAccount(other.user.id),
    });

    const first = await caller.imports.list({ limit: 2 });
    expect(first.runs.map((r) => r.id)).toEqual([ids[4], ids[3]]);
    expect(first.nextCursor).not.toBeNull();
    const rest = await caller.imports.list({ limit: 50, cursor: first.nextCursor ?? "" });
    expect(rest.runs.map((r) => r.id)).toEqual([ids[2], ids[1], ids[0]]);
    expect(rest.nextCursor).toBeNull();

    const one = await caller.imports.get({ id: ids[0] ?? "" });
    expect(one.run.id).toBe(ids[0]);
    await expectTRPCError(caller.imports.get({ id: otherRun.run.id }), "NOT_FOUND");
    await expectTRPCError(caller.imports.get({ id: randomUUID() }), "NOT_FOUND");
  });

  it("filters by account and shows counts, progress and the last errors", async () => {
    const { user, caller } = await signInMediaUser(h, "imp-view");
    const accountId = await linkedAccount(user.id);
    const { run } = await caller.imports.start({ id: accountId });
    const errors = Array.from({ length: 5 }, (_, n) => ({
      itemId: null,
      providerItemId: `p${n}`,
      code: "item",
      reason: `reason ${n}`,
      at: new Date().toISOString(),
    }));
    await h.db.importRun.update({
      where: { id: run.id },
      data: {
        status: "running",
        startedAt: new Date(Date.now() - 5000),
        itemsSeen: 10,
        itemsNew: 8,
        itemsExisting: 1,
        itemsSkipped: 1,
        itemsFailed: 5,
        itemsPending: 2,
        pagesDone: 1,
        listingDone: true,
        errors,
      },
    });
    const { run: view } = await caller.imports.get({ id: run.id });
    expect(view.counts).toEqual({
      seen: 10,
      new: 8,
      existing: 1,
      skipped: 1,
      failed: 5,
      pending: 2,
    });
    expect(view.progress).toEqual({ pagesDone: 1, listingDone: true, itemsDone: 8, percent: 80 });
    expect(view.errors).toHaveLength(5);
    expect(view.durationMs).toBeGreaterThanOrEqual(5000);
    const listed = await caller.imports.list({ accountId });
    expect(listed.runs).toHaveLength(1);
    expect(listed.runs[0]?.errors).toHaveLength(3);
    expect(JSON.stringify(listed)).not.toContain("IGAAT");
  });

  it("refuses bad input with 400s", async () => {
    const { caller } = await signInMediaUser(h, "imp-list-bad");
    for (const input of [
      { limit: 0 },
      { limit: 51 },
      { limit: "ten" },
      { cursor: "" },
      { cursor: "not/a/cursor" },
      { accountId: "nope" },
    ]) {
      await expectTRPCError(caller.imports.list(input as never), "BAD_REQUEST");
    }
    // Well-formed but not ours: refused as a cursor, not a 500.
    await expectTRPCError(caller.imports.list({ cursor: "AAAA" }), "BAD_REQUEST");
    await expectTRPCError(caller.imports.get({ id: "x" }), "BAD_REQUEST");
  });
});

describe("a run's error list", () => {
  it("keeps the newest entries first, bounded, when many are added at once", async () => {
    const { user, caller } = await signInMediaUser(h, "imp-errors");
    const { run } = await caller.imports.start({ id: await linkedAccount(user.id) });
    const total = RUN_ERRORS_KEPT + 10;
    // One at a time (so the order is known), then a burst at once (none may be lost).
    for (let n = 0; n < total; n++) {
      await recordRunError(h.db, run.id, {
        itemId: null,
        providerItemId: `p${n}`,
        code: "item",
        reason: "x".repeat(600),
        at: new Date().toISOString(),
      });
    }
    const { run: view } = await caller.imports.get({ id: run.id });
    expect(view.errors).toHaveLength(RUN_ERRORS_KEPT);
    expect(view.errors[0]?.providerItemId).toBe(`p${total - 1}`);
    expect(view.errors.at(-1)?.providerItemId).toBe(`p${total - RUN_ERRORS_KEPT}`);
    expect(view.errors[0]?.reason).toHaveLength(500);

    await Promise.all(
      Array.from({ length: 8 }, (_, n) =>
        recordRunError(h.db, run.id, {
          itemId: null,
          providerItemId: `burst${n}`,
          code: "item",
          reason: "r",
          at: new Date().toISOString(),
        }),
      ),
    );
    const after = await caller.imports.get({ id: run.id });
    const burst = after.run.errors.filter((e) => e.providerItemId?.startsWith("burst"));
    expect(burst).toHaveLength(8);
    expect(after.run.errors).toHaveLength(RUN_ERRORS_KEPT);
  });
});
