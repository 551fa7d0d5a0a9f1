import { Prisma } from "@lifeline/db";
import type { AccountAccess, ProviderId } from "@lifeline/providers";

import { ingestMedia, type StoredFile } from "../media/ingest-media";
import { enqueueThumbnail } from "../media/enqueue-thumbnail";
import { classifyFailure, type ImportFailure } from "./classify-failure";
import { deferred, done, type ImportDeps, type ImportJobOutcome } from "./import-deps";
import type { JobAttempt } from "./import-page";
import { readStoredRef, type StoredDownloadRef } from "./leaf-items";
import type { AccountSlot } from "./provider-limits";
import { completeRunIfDone, failRun, recordRunError } from "./run-state";

export interface DownloadJobInput {
  runId: string;
  mediaItemId: string;
}

export interface DownloadContext extends JobAttempt {
  /** Names this job's slot in the account's semaphore (the job id). */
  holder: string;
  signal?: AbortSignal | undefined;
}

interface PendingItem {
  id: string;
  userId: string;
  linkedAccountId: string;
  providerItemId: string;
  provider: ProviderId;
  ref: StoredDownloadRef;
  width: number | null;
  height: number | null;
  durationMs: number | null;
}

/** A busy account: how long a job polls for a slot in place, then how long it is deferred. */
const SLOT_WAIT_MS = 1500;
const SLOT_POLL_MS = 50;
const SLOT_RETRY_MS = 400;

/**
 * Fetches one imported item's bytes (imports.download) through the media library's one
 * ingest path: streamed to a temp while hashed and counted, typed from its magic bytes,
 * checked against the size the provider promised, committed under the blob lock, and only
 * then the item marked stored, in the same transaction as the run's counters. A crash at
 * any point leaves the item pending (its next attempt starts over) and at worst a temp the
 * sweep removes: never an item pointing at a partial file. Same bytes are stored once.
 *
 * Provider limits: a paused provider (an earlier 429) or a full account semaphore defers
 * the job without spending an attempt; a 429 pauses the provider for its Retry-After. A
 * refused token is renewed once; refused again, the run fails with needs_relink.
 */
export async function downloadItem(
  deps: ImportDeps,
  input: DownloadJobInput,
  context: DownloadContext,
): Promise<ImportJobOutcome> {
  const loaded = await loadPending(deps, input);
  if ("outcome" in loaded) return loaded;
  const item = loaded;

  const paused = await deps.limits.pausedFor(item.provider);
  if (paused > 0) return deferred(paused + jitter(), `${item.provider} is rate limited`);
  const lease = await acquireSlot(deps, item.linkedAccountId, context.holder);
  if (!lease) return deferred(SLOT_RETRY_MS + jitter(), "the account's downloads are all busy");
  const slot = holdSlot(deps, lease);

  const renewal = setInterval(() => {
    if (!slot.held) return;
    slot.lease.renew().catch((error: unknown) => {
      deps.logger.warn({ err: error }, "imports: could not renew a download slot");
    });
  }, 15_000);
  try {
    return await fetchWithRecovery(deps, input, item, context, slot);
  } finally {
    clearInterval(renewal);
    await slot.release();
  }
}

/**
 * The account's slot as one download uses it: held while the provider is being talked to,
 * handed back as soon as the body has arrived (hashing the rest, the commit and the row do
 * not count against the provider's concurrency), taken again for a second attempt.
 */
interface HeldSlot {
  lease: AccountSlot;
  held: boolean;
  release(): Promise<void>;
  /** Takes the slot again; false when the account's slots are all busy meanwhile. */
  retake(): Promise<boolean>;
}

function holdSlot(deps: ImportDeps, lease: AccountSlot): HeldSlot {
  const slot: HeldSlot = {
    lease,
    held: true,
    async release() {
      if (!slot.held) return;
      slot.held = false;
      await lease.release().catch((error: unknown) => {
        deps.logger.warn({ err: error }, "imports: could not release a download slot");
      });
    },
    async retake() {
      if (slot.held) return true;
      slot.held = await lease.retake();
      return slot.held;
    },
  };
  return slot;
}

/**
 * A slot of the account's semaphore, polled for a moment in place (slots free up within
 * milliseconds on small files; a deferral costs Redis round trips and the queue's order).
 */
async function acquireSlot(deps: ImportDeps, linkedAccountId: string, holder: string) {
  const until = Date.now() + SLOT_WAIT_MS;
  for (;;) {
    const slot = await deps.limits.acquire(linkedAccountId, holder);
    if (slot || Date.now() >= until) return slot;
    await new Promise((resolve) => setTimeout(resolve, SLOT_POLL_MS + jitter() / 5));
  }
}

async function loadPending(
  deps: ImportDeps,
  input: DownloadJobInput,
): Promise<PendingItem | ImportJobOutcome> {
  const [row, run] = await Promise.all([
    deps.db.mediaItem.findUnique({
      where: { id: input.mediaItemId },
      select: {
        id: true,
        userId: true,
        status: true,
        linkedAccountId: true,
        providerItemId: true,
        downloadRef: true,
        width: true,
        height: true,
        durationMs: true,
        linkedAccount: { select: { provider: true } },
      },
    }),
    deps.db.importRun.findUnique({ where: { id: input.runId }, select: { status: true } }),
  ]);
  if (!row) return done("the item no longer exists");
  if (row.status !== "pending") return done(`the item is ${row.status} already`);
  // A run that ended leaves its pending items to the account's next run.
  if (!run || (run.status !== "queued" && run.status !== "running")) {
    return done("the run has ended; the next run takes the item over");
  }
  const ref = readStoredRef(row.downloadRef);
  if (!row.linkedAccount || !row.linkedAccountId || !row.providerItemId || !ref) {
    await failItem(deps, input, row.providerItemId, {
      kind: "item",
      message: "nothing to download (the account was unlinked, or the item has no reference)",
    });
    return done("nothing to download");
  }
  return {
    id: row.id,
    userId: row.userId,
    linkedAccountId: row.linkedAccountId,
    providerItemId: row.providerItemId,
    provider: row.linkedAccount.provider,
    ref,
    width: row.width,
    height: row.height,
    durationMs: row.durationMs,
  };
}

async function fetchWithRecovery(
  deps: ImportDeps,
  input: DownloadJobInput,
  item: PendingItem,
  context: DownloadContext,
  slot: HeldSlot,
): Promise<ImportJobOutcome> {
  let renewed = false;
  let integrityRetried = false;
  for (;;) {
    if (!(await slot.retake())) {
      return deferred(SLOT_RETRY_MS + jitter(), "the account's downloads are all busy");
    }
    try {
      const access = renewed
        ? await deps.access.renew(item.linkedAccountId)
        : await deps.access.current(item.linkedAccountId);
      const stored = await fetchAndStore(deps, input, item, access, context.signal, slot);
      if (!stored) return done("the item was settled meanwhile");
      await afterStored(deps, item, stored);
      if (stored.lastPending) await completeRunIfDone(deps.db, input.runId, deps.now());
      return done("stored");
    } catch (error) {
      // The process is stopping: the job goes back to its queue as it is (run-workers.ts).
      if (context.signal?.aborted) throw error;
      const failure = classifyFailure(error);
      switch (failure.kind) {
        case "relink":
          if (!renewed) {
            renewed = true;
            continue;
          }
          await deps.access.flagNeedsReauth(
            item.linkedAccountId,
            `needs_relink: ${failure.message}`,
          );
          await failRun(deps.db, input.runId, "needs_relink", failure.message, deps.now());
          return done("the account needs linking again");
        case "rate_limited":
          await deps.limits.pause(item.provider, failure.retryAfterMs);
          return deferred(failure.retryAfterMs + jitter(), `${item.provider} asked to wait`);
        case "integrity":
          // A wrong length can be one bad transfer: a fresh download once, then the item fails.
          if (!integrityRetried) {
            integrityRetried = true;
            continue;
          }
          await failItem(deps, input, item.providerItemId, failure);
          return done("the bytes did not match");
        case "item":
          await failItem(deps, input, item.providerItemId, failure);
          return done("the item cannot be imported");
        case "misconfigured":
        case "transient":
          if (context.final) {
            await failItem(deps, input, item.providerItemId, failure);
            return done("gave up after the last attempt");
          }
          throw error;
      }
    }
  }
}

/** Streams the bytes in and marks the item stored; null if it was settled meanwhile. */
async function fetchAndStore(
  deps: ImportDeps,
  input: DownloadJobInput,
  item: PendingItem,
  access: AccountAccess,
  signal: AbortSignal | undefined,
  slot: HeldSlot,
): Promise<StoredOutcome | null> {
  const provider = deps.providers.get(item.provider);
  const download = await provider.download(access, {
    id: item.providerItemId,
    download: item.ref.ref,
  });
  download.stream.once("end", () => void slot.release());
  // The provider's stream checks its promise (Content-Length, a mail part's size) as the
  // bytes pass; the commit checks it again against what was hashed and stored. (The size a
  // listing advertises is not used: Outlook's counts the attachment's metadata too.)
  const expectedSize = download.size ?? undefined;
  try {
    return await ingestMedia(
      { db: deps.db, storage: deps.storage, logger: deps.logger, now: deps.now },
      {
        body: download.stream,
        maxBytes: deps.maxBytes,
        signal,
        expected: { size: expectedSize },
      },
      (tx, stored) => markStored(tx, input, item, stored),
    );
  } finally {
    // A refusal before the body was read to its end: release the connection.
    if (!download.stream.readableEnded) download.stream.destroy();
  }
}

type Tx = Parameters<Parameters<typeof ingestMedia>[2]>[0];

/** Under the blob lock, in the transaction that committed the blob: the item and the run. */
async function markStored(
  tx: Tx,
  input: DownloadJobInput,
  item: PendingItem,
  stored: StoredFile,
): Promise<StoredOutcome | null> {
  const { type, metadata } = stored;
  const thumbnail = type.kind === "image";
  const updated = await tx.mediaItem.updateMany({
    where: { id: item.id, status: "pending" },
    data: {
      status: "stored",
      kind: type.kind,
      mime: type.mime,
      sizeBytes: BigInt(stored.size),
      sha256: stored.sha256,
      width: metadata.width ?? item.width,
      height: metadata.height ?? item.height,
      durationMs: metadata.durationMs ?? item.durationMs,
      thumbnail: thumbnail ? "pending" : "none",
      downloadRef: Prisma.DbNull,
      failureReason: null,
    },
  });
  if (updated.count !== 1) return null;
  const run = await tx.importRun.update({
    where: { id: input.runId },
    data: { itemsPending: { decrement: 1 } },
    select: { itemsPending: true, listingDone: true },
  });
  return { thumbnail, lastPending: run.listingDone && run.itemsPending <= 0 };
}

interface StoredOutcome {
  /** An image: its thumbnail job follows. */
  thumbnail: boolean;
  /** The run had nothing else pending and its listing is done: it may complete now. */
  lastPending: boolean;
}

async function afterStored(
  deps: ImportDeps,
  item: PendingItem,
  stored: { thumbnail: boolean },
): Promise<void> {
  await deps.timeline.invalidate(item.userId);
  if (stored.thumbnail) await enqueueThumbnail(deps, item.id);
}

/** The item failed: its reason on the row and in the run's error list; the run goes on. */
async function failItem(
  deps: ImportDeps,
  input: DownloadJobInput,
  providerItemId: string | null,
  failure: Pick<ImportFailure, "kind" | "message">,
): Promise<void> {
  const now = deps.now();
  const reason = failure.message.slice(0, 500);
  const settled = await deps.db.$transaction(async (tx) => {
    const updated = await tx.mediaItem.updateMany({
      where: { id: input.mediaItemId, status: "pending" },
      data: { status: "failed", failureReason: reason },
    });
    if (updated.count !== 1) return false;
    await tx.importRun.update({
      where: { id: input.runId },
      data: { itemsPending: { decrement: 1 }, itemsFailed: { increment: 1 } },
    });
    await recordRunError(tx, input.runId, {
      itemId: input.mediaItemId,
      providerItemId,
      code: failure.kind,
      reason,
      at: now.toISOString(),
    });
    return true;
  });
  if (settled) await completeRunIfDone(deps.db, input.runId, now);
}

function jitter(): number {
  return Math.floor(Math.random() * 250);
}
