import type { BlobStorage } from "@lifeline/storage";

import { copyBlob } from "./copy-blob";
import type { BackupContext } from "./deps";
import { withPgClient } from "./pg-connection";
import { forEachLimited } from "./pool";
import { countProgress, formatBytes } from "./progress";

export interface MediaRestoreResult {
  /** Blobs the restored database references. */
  referenced: number;
  restored: number;
  restoredBytes: number;
  /** Already in the media store with the right size. */
  present: number;
  /** Referenced but in no media backup (e.g. uploaded after the last one); the first few named. */
  missing: number;
  missingExamples: string[];
}

const PAGE = 1000;
const COPY_CONCURRENCY = 4;

/**
 * Restores into `media` every blob the database at `databaseUrl` (just restored) references,
 * from the backup store: the store is content-addressed and shared by every media backup, so
 * whatever backup copied a blob, it is there under its sha256. Each copy is re-hashed before
 * it is committed. Blobs already in the media store are left as they are.
 */
export async function restoreMediaBlobs(
  ctx: BackupContext,
  databaseUrl: string,
  media: BlobStorage = ctx.media,
): Promise<MediaRestoreResult> {
  const result: MediaRestoreResult = {
    referenced: 0,
    restored: 0,
    restoredBytes: 0,
    present: 0,
    missing: 0,
    missingExamples: [],
  };
  const report = countProgress("media blobs restored", ctx.progress);
  await withPgClient(databaseUrl, async (client) => {
    let after = "";
    for (;;) {
      const { rows } = await client.query<{ sha256: string }>(
        `SELECT DISTINCT sha256 FROM media_items
          WHERE sha256 IS NOT NULL AND status = 'stored' AND sha256 > $1
          ORDER BY sha256 LIMIT ${PAGE}`,
        [after],
      );
      if (rows.length === 0) break;
      await forEachLimited(rows, COPY_CONCURRENCY, async ({ sha256 }) => {
        ctx.signal?.throwIfAborted();
        result.referenced += 1;
        if (await media.exists(sha256)) {
          result.present += 1;
          return;
        }
        const copied = await copyBlob(ctx.store, media, sha256, ctx.signal);
        if (!copied) {
          result.missing += 1;
          if (result.missingExamples.length < 5) result.missingExamples.push(sha256);
          return;
        }
        result.restored += 1;
        result.restoredBytes += copied.size;
      });
      report(
        result.referenced,
        `${result.restored} restored, ${formatBytes(result.restoredBytes)}`,
      );
      after = rows[rows.length - 1]?.sha256 ?? after;
      if (rows.length < PAGE) break;
    }
  });
  ctx.logger.info({ ...result }, "media blobs restored");
  return result;
}
