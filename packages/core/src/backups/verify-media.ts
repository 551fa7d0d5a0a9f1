import type { BackupRecord } from "@lifeline/db";

import { writeCatalogEntry } from "./backup-catalog";
import type { BackupContext } from "./deps";
import { hashStream } from "./hash-object";
import { readManifest } from "./media-manifest";
import { batches, forEachLimited } from "./pool";
import { countProgress } from "./progress";
import { markFailed } from "./record-outcome";
import { BackupVerificationError, checkRecordedObject } from "./verify-recorded-object";

const HASH_CONCURRENCY = 4;
/** Problems named in the error; the count covers all of them. */
const NAMED_PROBLEMS = 5;

/**
 * Checks a media backup: the manifest is the one recorded (sha256, and its sidecar agrees),
 * and every blob it lists is in the backup store with that size and bytes that hash to its
 * name (each re-read in full: a flipped byte anywhere is found).
 */
export async function checkMediaBackup(ctx: BackupContext, record: BackupRecord): Promise<number> {
  // A media record's size is its blobs' total, not the manifest's: only the hash is checked.
  await checkRecordedObject(ctx, { ...record, sizeBytes: null }, "manifest");

  const problems: string[] = [];
  let problemCount = 0;
  let checked = 0;
  const report = countProgress("blobs verified", ctx.progress);
  for await (const batch of batches(readManifest(ctx.store, record.location), 100)) {
    await forEachLimited(batch, HASH_CONCURRENCY, async (entry) => {
      ctx.signal?.throwIfAborted();
      const blob = await ctx.store.get(entry.sha256);
      const problem = !blob
        ? "missing"
        : await hashStream(blob.body).then((actual) =>
            actual.sha256 !== entry.sha256
              ? `bytes hash to ${actual.sha256}`
              : actual.size !== entry.size
                ? `${actual.size} bytes, the manifest says ${entry.size}`
                : null,
          );
      checked += 1;
      if (!problem) return;
      problemCount += 1;
      if (problems.length < NAMED_PROBLEMS) problems.push(`${entry.sha256}: ${problem}`);
    });
    report(checked);
  }
  if (problemCount > 0) {
    throw new BackupVerificationError(
      `${problemCount} of ${checked} blobs in media backup ${record.id} do not match the manifest: ${problems.join("; ")}`,
    );
  }
  return checked;
}

export async function verifyMediaBackup(
  ctx: BackupContext,
  record: BackupRecord,
): Promise<BackupRecord> {
  let checked: number;
  try {
    checked = await checkMediaBackup(ctx, record);
  } catch (error) {
    await markFailed(ctx.db, record.id, error, ctx.now());
    throw error;
  }
  const verified = await ctx.db.backupRecord.update({
    where: { id: record.id },
    data: { status: "verified", verifiedAt: ctx.now(), error: null },
  });
  await writeCatalogEntry(ctx.store, verified);
  ctx.logger.info({ backupId: record.id, blobs: checked }, "media backup verified");
  ctx.progress?.(`media backup verified: ${checked} blobs re-hashed`);
  return verified;
}
