import type { MediaPage, ProviderId } from "@lifeline/providers";

import { classifyFailure } from "./classify-failure";
import { enqueueDownloads, enqueuePendingOfAccount } from "./enqueue-downloads";
import { deferred, done, type ImportDeps, type ImportJobOutcome } from "./import-deps";
import { leafItems, type LeafItem } from "./leaf-items";
import { completeRunIfDone, failRun } from "./run-state";
import { enqueuePage } from "./start-import";

export interface PageJobInput {
  runId: string;
  page: number;
}

export interface JobAttempt {
  /** The job's last attempt: a transient failure now ends the run instead of retrying. */
  final: boolean;
}

/** A page whose checkpoint moved meanwhile (a duplicate job): the transaction is undone. */
class PageAlreadyDone extends Error {}

interface RunRow {
  id: string;
  userId: string;
  linkedAccountId: string;
  trigger: "manual" | "schedule";
  status: string;
  cursor: string | null;
  pagesDone: number;
  listingDone: boolean;
  provider: ProviderId;
  lastSyncedAt: Date | null;
}

async function loadRun(deps: ImportDeps, runId: string): Promise<RunRow | null> {
  const run = await deps.db.importRun.findUnique({
    where: { id: runId },
    include: { linkedAccount: { select: { provider: true, lastSyncedAt: true } } },
  });
  if (!run) return null;
  return {
    ...run,
    provider: run.linkedAccount.provider,
    lastSyncedAt: run.linkedAccount.lastSyncedAt,
  };
}

/**
 * One page of a run's listing (imports.page). Fetches the page after the checkpointed
 * cursor; then, in one transaction, records its new items (upserted on linked account and
 * provider item id, so importing twice adds nothing) and moves the checkpoint (cursor, page
 * count, counts). Only then are the downloads and the next page enqueued, under ids that
 * make a repeat add nothing: a worker killed anywhere continues where it stopped and never
 * fetches a checkpointed page again.
 */
export async function importPage(
  deps: ImportDeps,
  input: PageJobInput,
  attempt: JobAttempt,
): Promise<ImportJobOutcome> {
  const run = await loadRun(deps, input.runId);
  if (!run) return done("the run no longer exists");
  if (run.status !== "queued" && run.status !== "running") return done(`the run is ${run.status}`);
  if (run.pagesDone > input.page || run.listingDone) {
    // Checkpointed already: only what follows the commit may be missing.
    return afterCheckpoint(deps, run, { enqueue: "all", listingDone: run.listingDone });
  }
  if (run.pagesDone < input.page) return done("an earlier page is not checkpointed yet");

  const paused = await deps.limits.pausedFor(run.provider);
  if (paused > 0) return deferred(paused, `${run.provider} is rate limited`);

  const listed = await fetchPage(deps, run);
  if ("outcome" in listed) return listed;
  const page = listed;

  const leaves = leafItems(page.items);
  let recorded: RecordedPage;
  try {
    recorded = await recordPage(deps, run, input.page, page, leaves);
  } catch (error) {
    if (error instanceof PageAlreadyDone) return done("the page was checkpointed meanwhile");
    if (attempt.final) {
      await failRun(deps.db, run.id, "retry_later", "the page could not be recorded", deps.now());
    }
    throw error;
  }
  if (recorded.createdPosts) await deps.timeline.invalidate(run.userId);
  return afterCheckpoint(deps, run, recorded);

  async function fetchPage(deps: ImportDeps, run: RunRow): Promise<MediaPage | ImportJobOutcome> {
    let renewed = false;
    for (;;) {
      try {
        // Inside the try: an unconfigured provider is a `misconfigured` failure of the run.
        const provider = deps.providers.get(run.provider);
        const access = renewed
          ? await deps.access.renew(run.linkedAccountId)
          : await deps.access.current(run.linkedAccountId);
        return await provider.listMedia(access, run.cursor);
      } catch (error) {
        const failure = classifyFailure(error);
        if (failure.kind === "relink" && !renewed) {
          renewed = true;
          continue;
        }
        if (failure.kind === "relink") {
          await deps.access.flagNeedsReauth(
            run.linkedAccountId,
            `needs_relink: ${failure.message}`,
          );
          await failRun(deps.db, run.id, "needs_relink", failure.message, deps.now());
          return done("the account needs linking again");
        }
        if (failure.kind === "rate_limited") {
          await deps.limits.pause(run.provider, failure.retryAfterMs);
          return deferred(failure.retryAfterMs, `${run.provider} asked to wait`);
        }
        if (failure.kind === "misconfigured") {
          await failRun(deps.db, run.id, "misconfigured", failure.message, deps.now());
          return done("the provider is misconfigured");
        }
        if (attempt.final) {
          await failRun(deps.db, run.id, "retry_later", failure.message, deps.now());
        }
        throw error;
      }
    }
  }
}

/**
 * A scheduled sync lists new items only: it stops after a page whose items are all older
 * than the last completed run's start, or all already in the library.
 */
function syncReachedKnownItems(
  run: RunRow,
  page: MediaPage,
  leaves: LeafItem[],
  newCount: number,
): boolean {
  if (run.trigger !== "schedule" || run.lastSyncedAt === null) return false;
  const since = run.lastSyncedAt.getTime();
  const allOlder = page.items.every(
    (item) => item.takenAt !== null && item.takenAt.getTime() < since,
  );
  return allOlder || (leaves.length > 0 && newCount === 0);
}

interface RecordedPage {
  /** What to enqueue downloads for: this page's new items, or all the account's pending. */
  enqueue: string[] | "all";
  listingDone: boolean;
  /** Text posts were stored: the owner's timeline changed already. */
  createdPosts: boolean;
}

async function recordPage(
  deps: ImportDeps,
  run: RunRow,
  pageNumber: number,
  page: MediaPage,
  leaves: LeafItem[],
): Promise<RecordedPage> {
  const now = deps.now();
  return deps.db.$transaction(
    async (tx) => {
      // The first page takes over what earlier runs left waiting (a run that failed, or
      // failed items when the owner asks again), so nothing stays pending without a run.
      let adopted = 0;
      if (pageNumber === 0) {
        const retried = await tx.mediaItem.updateMany({
          where: {
            linkedAccountId: run.linkedAccountId,
            status: run.trigger === "manual" ? { in: ["pending", "failed"] } : "pending",
          },
          data: { status: "pending", failureReason: null },
        });
        adopted = retried.count;
      }

      const ids = leaves.map((leaf) => leaf.providerItemId);
      const existing = new Set(
        (
          await tx.mediaItem.findMany({
            where: { linkedAccountId: run.linkedAccountId, providerItemId: { in: ids } },
            select: { providerItemId: true },
          })
        ).map((row) => row.providerItemId),
      );
      const fresh = leaves.filter(
        (leaf) => leaf.shape !== "skip" && !existing.has(leaf.providerItemId),
      );
      const created = await tx.mediaItem.createManyAndReturn({
        data: fresh.map((leaf) => ({
          userId: run.userId,
          source: "provider" as const,
          linkedAccountId: run.linkedAccountId,
          providerItemId: leaf.providerItemId,
          importRunId: run.id,
          kind: leaf.kind,
          status: leaf.shape === "post" ? ("stored" as const) : ("pending" as const),
          takenAt: leaf.takenAt ?? now,
          caption: leaf.caption,
          originalName: leaf.originalName,
          width: leaf.width,
          height: leaf.height,
          durationMs: leaf.durationMs,
          ...(leaf.downloadRef ? { downloadRef: { ...leaf.downloadRef } } : {}),
        })),
        skipDuplicates: true,
        select: { id: true, status: true },
      });
      const newPending = created.filter((row) => row.status === "pending").map((row) => row.id);
      const skipped = leaves.filter((leaf) => leaf.shape === "skip").length;
      const listingDone =
        page.nextCursor === null || syncReachedKnownItems(run, page, leaves, created.length);

      const checkpoint = await tx.importRun.updateMany({
        where: { id: run.id, pagesDone: pageNumber, status: { in: ["queued", "running"] } },
        data: {
          status: "running",
          ...(pageNumber === 0 ? { startedAt: now } : {}),
          cursor: page.nextCursor,
          pagesDone: pageNumber + 1,
          listingDone,
          itemsSeen: { increment: leaves.length },
          itemsNew: { increment: created.length },
          itemsExisting: { increment: leaves.length - skipped - created.length },
          itemsSkipped: { increment: skipped },
          itemsPending: { increment: newPending.length + adopted },
        },
      });
      if (checkpoint.count !== 1) throw new PageAlreadyDone();
      return {
        enqueue: adopted > 0 ? "all" : newPending,
        listingDone,
        createdPosts: created.length > newPending.length,
      };
    },
    { timeout: 60_000, maxWait: 10_000 },
  );
}

async function afterCheckpoint(
  deps: ImportDeps,
  run: RunRow,
  recorded: Pick<RecordedPage, "enqueue" | "listingDone">,
): Promise<ImportJobOutcome> {
  if (recorded.enqueue === "all") {
    await enqueuePendingOfAccount(deps.db, deps.jobs, run.id, run.linkedAccountId);
  } else {
    await enqueueDownloads(deps.jobs, run.id, recorded.enqueue);
  }
  if (!recorded.listingDone) {
    const next = await deps.db.importRun.findUnique({
      where: { id: run.id },
      select: { pagesDone: true },
    });
    if (next) await enqueuePage(deps, run.id, next.pagesDone);
    return done("page recorded");
  }
  await completeRunIfDone(deps.db, run.id, deps.now());
  return done("listing finished");
}
