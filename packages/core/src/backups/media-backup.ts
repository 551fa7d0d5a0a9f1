import { randomUUID } from "node:crypto";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createGzip } from "node:zlib";

import type { BackupRecord } from "@lifeline/db";

import { backupKeys, checksumLine, maxObjectBytes } from "./backup-store";
import { copyBlob } from "./copy-blob";
import type { BackupContext } from "./deps";
import { manifestLine, type ManifestEntry } from "./media-manifest";
import { forEachLimited } from "./pool";
import { countProgress, formatBytes } from "./progress";
import { markFailed } from "./record-outcome";

/** What a media backup records in BackupRecord.details. */
export type MediaBackupDetails = {
  /** The database backup taken just before (the media it references is what was copied). */
  databaseBackupId: string;
  manifestBytes: number;
  blobs: number;
  /** Blobs this backup copied (the rest were in the store from earlier backups). */
  copiedBlobs: number;
  copiedBytes: number;
};

/** Database rows are read in pages of this many distinct blobs; copies run this many at once. */
const PAGE = 1000;
const COPY_CONCURRENCY = 4;

/**
 * Backs up the media the database references (items stored, with their bytes' sha256): the
 * backup store is content-addressed like the media store, so only blobs it lacks are copied
 * (each re-hashed on the way in), and a gzip manifest lists every referenced blob with its
 * size. The manifest is streamed while the pages are read, so memory stays flat however many
 * blobs; only the store's list of sha256s is held (about 100 bytes per blob).
 * `databaseBackupId` is the dump taken first, as the issue requires.
 */
export async function takeMediaBackup(
  ctx: BackupContext,
  databaseBackupId: string,
  id: string = randomUUID(),
): Promise<BackupRecord> {
  const { db, store, logger } = ctx;
  const startedAt = ctx.now();
  const location = backupKeys.mediaManifest(id, startedAt);
  await db.backupRecord.create({
    data: { id, kind: "media", status: "running", location, startedAt },
  });
  logger.info({ backupId: id, location }, "media backup started");
  try {
    const inStore = new Set<string>();
    for await (const sha256 of store.list()) inStore.add(sha256);

    const totals = { blobs: 0, bytes: 0, copiedBlobs: 0, copiedBytes: 0 };
    const report = countProgress("media blobs", ctx.progress);
    async function* lines(): AsyncGenerator<string> {
      yield manifestLine({
        format: "lifeline-media-manifest",
        version: 1,
        backupId: id,
        databaseBackupId,
        createdAt: startedAt.toISOString(),
      });
      for await (const page of referencedBlobs(ctx)) {
        const entries: ManifestEntry[] = [];
        await forEachLimited(page, COPY_CONCURRENCY, async (sha256) => {
          const entry = await backUpBlob(ctx, sha256, inStore);
          if (!entry) return;
          entries.push(entry);
          if (entry.copied) {
            totals.copiedBlobs += 1;
            totals.copiedBytes += entry.size;
          }
        });
        entries.sort((a, b) => (a.sha256 < b.sha256 ? -1 : 1));
        for (const { sha256, size } of entries) {
          totals.blobs += 1;
          totals.bytes += size;
          yield manifestLine({ sha256, size });
        }
        report(totals.blobs, `${totals.copiedBlobs} copied, ${formatBytes(totals.copiedBytes)}`);
      }
    }

    const gzip = createGzip();
    const writing = ctx.store.putObject(location, gzip, { maxBytes: maxObjectBytes(store) });
    writing.catch(() => undefined);
    await pipeline(Readable.from(lines()), gzip).catch((error: unknown) => {
      gzip.destroy(error instanceof Error ? error : new Error(String(error)));
      throw error;
    });
    const manifest = await writing;
    await store.putObject(
      backupKeys.checksumOf(location),
      Readable.from([Buffer.from(checksumLine(manifest.sha256, location))]),
      { maxBytes: 1024 },
    );
    const details: MediaBackupDetails = {
      databaseBackupId,
      manifestBytes: manifest.size,
      blobs: totals.blobs,
      copiedBlobs: totals.copiedBlobs,
      copiedBytes: totals.copiedBytes,
    };
    const record = await db.backupRecord.update({
      where: { id },
      data: {
        status: "completed",
        sizeBytes: BigInt(totals.bytes),
        sha256: manifest.sha256,
        details: details,
        finishedAt: ctx.now(),
      },
    });
    logger.info({ backupId: id, ...details, bytes: totals.bytes }, "media backup written");
    ctx.progress?.(
      `media backup written: ${totals.blobs} blobs (${formatBytes(totals.bytes)}), ${totals.copiedBlobs} copied (${formatBytes(totals.copiedBytes)})`,
    );
    return record;
  } catch (error) {
    await markFailed(db, id, error, ctx.now());
    throw error;
  }
}

/** Pages of distinct sha256s of stored items, in order (keyset over the sha256 index). */
async function* referencedBlobs(ctx: BackupContext): AsyncGenerator<string[]> {
  let after = "";
  for (;;) {
    ctx.signal?.throwIfAborted();
    const rows = await ctx.db.$queryRaw<{ sha256: string }[]>`
      SELECT DISTINCT sha256 FROM media_items
       WHERE sha256 IS NOT NULL AND status = 'stored' AND sha256 > ${after}
       ORDER BY sha256 LIMIT ${PAGE}`;
    if (rows.length === 0) return;
    yield rows.map((r) => r.sha256.trim());
    after = rows[rows.length - 1]?.sha256 ?? after;
    if (rows.length < PAGE) return;
  }
}

/**
 * One referenced blob: copied unless the store has it; null when the media store lost it
 * because its last item was deleted meanwhile (so it is no longer referenced). A blob still
 * referenced but missing is an error: the backup would be incomplete.
 */
async function backUpBlob(
  ctx: BackupContext,
  sha256: string,
  inStore: Set<string>,
): Promise<(ManifestEntry & { copied: boolean }) | null> {
  if (inStore.has(sha256)) {
    const stat = await ctx.store.stat(sha256);
    if (stat) return { sha256, size: stat.size, copied: false };
  }
  const copied = await copyBlob(ctx.media, ctx.store, sha256, ctx.signal);
  if (copied) {
    inStore.add(sha256);
    return { sha256, size: copied.size, copied: true };
  }
  const stillReferenced = await ctx.db.mediaItem.count({ where: { sha256, status: "stored" } });
  if (stillReferenced === 0) return null;
  throw new Error(
    `media blob ${sha256} is referenced by ${stillReferenced} stored item(s) but missing from media storage`,
  );
}
