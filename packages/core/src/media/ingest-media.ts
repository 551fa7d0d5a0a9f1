import type { Readable } from "node:stream";

import type { Db } from "@lifeline/db";
import type { Logger } from "@lifeline/logger";
import { BlobTooLargeError, type BlobStorage, type TempBlob } from "@lifeline/storage";

import { AppError } from "../errors/app-error";
import { withBlobLock, type BlobLockTx } from "./blob-lock";
import { inspectUpload, type InspectedUpload } from "./inspect-upload";

export interface IngestMediaDeps {
  db: Db;
  storage: BlobStorage;
  /** Only for what cannot fail the ingest (a temp left behind). */
  logger: Pick<Logger, "warn">;
  now?: () => Date;
}

/** A file arriving in the media library: an upload, or a provider import's download. */
export interface IngestInput {
  /** The file's bytes, streamed: never held in memory (only the first 256 KiB are kept). */
  body: Readable;
  /** The file's name, if any (kept for display, checked against the bytes). */
  fileName?: string | null | undefined;
  /** The Content-Type the sender declared, if any (checked against the bytes). */
  declaredType?: string | null | undefined;
  /** The limit (MEDIA_MAX_BYTES): one byte more is PAYLOAD_TOO_LARGE. */
  maxBytes: number;
  signal?: AbortSignal | undefined;
  /**
   * Settles once the transport has seen the whole request intact (a multipart form's
   * closing boundary, after the file). A rejection refuses the file with that error,
   * before anything is committed: a file from a truncated request is never stored.
   */
  complete?: Promise<void> | undefined;
  /**
   * What the sender promised (a provider's advertised size): checked by the storage commit
   * with the hash, so bytes that differ are refused (BlobIntegrityError) and never stored.
   */
  expected?: { size?: number | undefined; sha256?: string | undefined } | undefined;
}

/** What the record step gets: the verified blob, in place, and what its bytes say. */
export interface StoredFile extends InspectedUpload {
  sha256: string;
  size: number;
  /** When it arrived: the taken-at of a file that says nothing else. */
  arrivedAt: Date;
}

function tooLarge(limit: number): AppError {
  return new AppError({
    code: "PAYLOAD_TOO_LARGE",
    message: `The file is larger than the limit of ${limit} bytes`,
    details: [{ path: "file", message: `must be at most ${limit} bytes` }],
  });
}

/**
 * Stores a file in the media library and records it, the one path for every source:
 *
 * 1. The bytes stream into a temp object while being hashed and counted (storage.putTemp);
 *    more than `maxBytes` stops the stream there: PAYLOAD_TOO_LARGE.
 * 2. The first 256 KiB decide the rest (inspectUpload): empty, a type not on the allow-list,
 *    or a name or declared type of another kind than the bytes are refused; metadata is read.
 * 3. Under the blob's lock (withBlobLock), the temp is committed to its content address,
 *    then `record` finds or creates the row, in the same transaction: the row only ever
 *    appears once its blob is verified in place, and never while a collector is deleting
 *    that blob (the blob lock protocol).
 *
 * Every refusal and failure before the commit removes the temp: no blob and no row remain.
 * A failure after the commit (the row insert, say) can leave the blob without a row, which
 * the orphan sweep collects; never a row without a blob.
 */
export async function ingestMedia<T>(
  deps: IngestMediaDeps,
  input: IngestInput,
  record: (tx: BlobLockTx, stored: StoredFile) => Promise<T>,
): Promise<T> {
  const arrivedAt = (deps.now ?? (() => new Date()))();
  let temp: TempBlob;
  try {
    temp = await deps.storage.putTemp(input.body, {
      maxBytes: input.maxBytes,
      signal: input.signal,
    });
  } catch (error) {
    // putTemp removed its partial temp already; the body's own failures (a client that went
    // away, a truncated form) are for the caller to name.
    if (error instanceof BlobTooLargeError) throw tooLarge(error.limit);
    throw error;
  }

  // An object, not a `let`: it is set inside the locked callback, out of the compiler's sight.
  const progress = { committed: false };
  try {
    await input.complete;
    const inspected = await inspectUpload(temp, input, arrivedAt);
    return await withBlobLock(deps.db, temp.sha256, async (tx) => {
      await deps.storage.commit(temp.tempKey, temp.sha256, {
        expectedSize: input.expected?.size ?? temp.size,
        expectedSha256: input.expected?.sha256,
      });
      progress.committed = true;
      return record(tx, { ...inspected, sha256: temp.sha256, size: temp.size, arrivedAt });
    });
  } finally {
    if (!progress.committed) {
      await deps.storage.discard(temp.tempKey).catch((error: unknown) => {
        deps.logger.warn(
          { err: error },
          "media: could not remove a refused file's temp; sweepTemp will",
        );
      });
    }
  }
}
