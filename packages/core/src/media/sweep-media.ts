import type { Db } from "@lifeline/db";
import type { BlobStorage } from "@lifeline/storage";

import { collectBlob } from "./collect-blob";

export interface SweepDeps {
  db: Db;
  storage: BlobStorage;
  now: () => Date;
}

export interface SweepOptions {
  /** Blobs younger than this are left alone, whatever references them. */
  minBlobAgeMs?: number;
  /** Temps (uploads in flight, or a crash's leftovers) last written before this are removed. */
  minTempAgeMs?: number;
}

export interface SweepResult {
  /** Blobs old enough to be looked at. */
  checked: number;
  /** Orphans deleted. */
  deleted: number;
  /** Temps removed. */
  temps: number;
}

const HOUR = 60 * 60_000;
/** Rows are looked up this many blobs at a time. */
const BATCH = 500;

/**
 * The daily clean-up of what a crash or a failure can leave behind: blobs no item
 * references (a delete whose collection job was lost, an ingest that failed after its
 * commit), and temps of uploads that never finished. A blob younger than an hour is left
 * alone as a margin; each orphan is then deleted through collectBlob, under its lock, with
 * the rows checked again there, so an upload of the same bytes meanwhile keeps it.
 */
export async function sweepMedia(
  deps: SweepDeps,
  options: SweepOptions = {},
): Promise<SweepResult> {
  const now = deps.now().getTime();
  const blobsBefore = new Date(now - (options.minBlobAgeMs ?? HOUR));
  const tempsBefore = new Date(now - (options.minTempAgeMs ?? 24 * HOUR));

  // Listed first, then checked: deleting while the listing pages could skip keys.
  const candidates: string[] = [];
  for await (const sha256 of deps.storage.list({ modifiedBefore: blobsBefore })) {
    candidates.push(sha256);
  }
  let deleted = 0;
  for (let at = 0; at < candidates.length; at += BATCH) {
    const batch = candidates.slice(at, at + BATCH);
    const referenced = await deps.db.mediaItem.findMany({
      where: { sha256: { in: batch } },
      select: { sha256: true },
      distinct: ["sha256"],
    });
    const kept = new Set(referenced.map((row) => row.sha256));
    for (const sha256 of batch) {
      if (kept.has(sha256)) continue;
      if ((await collectBlob(deps, sha256)).deleted) deleted += 1;
    }
  }
  const temps = await deps.storage.sweepTemp(tempsBefore);
  return { checked: candidates.length, deleted, temps };
}
