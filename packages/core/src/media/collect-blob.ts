import type { Db } from "@lifeline/db";
import type { BlobStorage } from "@lifeline/storage";

import { withBlobLock, type BlobLockOptions } from "./blob-lock";
import { derivedKeys } from "./derived-keys";

export interface CollectDeps {
  db: Db;
  storage: BlobStorage;
}

/**
 * Deletes a blob and its derived files (the thumbnail) if no item references it any more;
 * keeps it otherwise. Under the blob's lock, the one ingest holds while it commits a blob
 * and inserts its row, so a re-upload of the same bytes either finished first (its row is
 * seen: the blob stays) or waits and commits the blob anew after the delete. Idempotent:
 * deleting what is gone changes nothing.
 */
export async function collectBlob(
  deps: CollectDeps,
  sha256: string,
  options?: BlobLockOptions,
): Promise<{ deleted: boolean }> {
  return withBlobLock(
    deps.db,
    sha256,
    async (tx) => {
      const referenced = await tx.mediaItem.findFirst({ where: { sha256 }, select: { id: true } });
      if (referenced) return { deleted: false };
      // Derived files first: a crash between the two leaves a blob without a thumbnail
      // (collected again by the sweep), never a thumbnail nobody can find.
      for (const key of derivedKeys(sha256)) await deps.storage.deleteObject(key);
      await deps.storage.delete(sha256);
      return { deleted: true };
    },
    options,
  );
}
