import type { Readable } from "node:stream";

/**
 * Content-addressed storage for Lifeline's media: photos, videos and documents, named by the
 * sha256 of their bytes, streamed in and out (a 1 GiB video never sits in memory).
 *
 * The invariants every driver keeps:
 * - No half object under a real name: bytes go to a temp object first, and reach
 *   `blobs/…/<sha256>` only by an atomic rename (disk) or a completed server-side copy (S3).
 * - Commit only after size and hash are verified: the driver hashed and counted the bytes
 *   itself while writing them, and `commit` refuses (and removes the temp) when they differ
 *   from the address asked for or from the caller's expectations.
 * - Same bytes, one blob: committing content that is already stored just drops the temp.
 */
export interface BlobStorage {
  /** "local" or "s3": for logs and health output. */
  readonly driver: StorageDriverName;

  /**
   * Streams `body` to a new temp object while hashing and counting it. Fails with
   * BlobTooLargeError as soon as the body passes `maxBytes`, with the body's own error when it
   * errors or closes early (a client that disconnected), or with the signal's reason when
   * aborted; in every case the partial temp is removed first. `body` is read but never
   * destroyed: after a failure its owner decides what to do with it (e.g. answer 413).
   */
  putTemp(body: Readable, options: PutOptions): Promise<TempBlob>;

  /**
   * Moves a temp object to its content address, after checking that its bytes hash to
   * `sha256` and match the optional expectations (a size or hash the client announced). On a
   * mismatch the temp is removed and BlobIntegrityError thrown; a missing temp is
   * BlobNotFoundError. Content that already exists is not written again.
   */
  commit(tempKey: string, sha256: string, expected?: CommitExpectations): Promise<CommitResult>;

  /** Removes a temp object; nothing happens if it is already gone. */
  discard(tempKey: string): Promise<void>;

  exists(sha256: string): Promise<boolean>;
  stat(sha256: string): Promise<{ size: number } | null>;

  /**
   * A blob's bytes, or only `range` (inclusive, like HTTP's). An `end` past the blob's end is
   * cut to the last byte; a range that cannot be served (start after end, start at or past
   * the end, negative) is BlobRangeError: refuse it before calling when you can. Null when the
   * blob does not exist. Always consume or destroy `body`: it holds a file or a connection.
   */
  get(sha256: string, range?: ByteRange): Promise<BlobRead | null>;

  /** Removes a blob; nothing happens if it is already gone. */
  delete(sha256: string): Promise<void>;

  /**
   * Every stored sha256, in no particular order (garbage collection, backups); with
   * `modifiedBefore`, only blobs last written before it (a collector's safety margin).
   */
  list(options?: { modifiedBefore?: Date }): AsyncIterable<string>;

  /**
   * Removes temp objects last written before `olderThan` (uploads a crash left behind) and
   * returns how many. Keep the cut-off far behind the slowest upload (a day, say).
   */
  sweepTemp(olderThan: Date): Promise<number>;

  /**
   * Derived files (thumbnails, previews): stored under a caller-chosen key such as
   * `thumbnails/<sha256>.webp` (a namespace then a name; never under blobs/ or tmp/),
   * replacing any earlier object atomically. Same streaming, limit and cleanup as putTemp.
   */
  putObject(
    key: string,
    body: Readable,
    options: PutOptions,
  ): Promise<{ size: number; sha256: string }>;
  /** A derived file, like `get`; null when absent. */
  getObject(key: string, range?: ByteRange): Promise<BlobRead | null>;
  /** Removes a derived file; nothing happens if it is already gone. */
  deleteObject(key: string): Promise<void>;
}

export type StorageDriverName = "local" | "s3";

export interface PutOptions {
  /** The most bytes the body may have; one more is BlobTooLargeError. */
  maxBytes: number;
  signal?: AbortSignal | undefined;
}

export interface TempBlob {
  /** Hand it to `commit` or `discard`. */
  tempKey: string;
  size: number;
  /** Lower-case hex sha256 of the bytes: the blob's content address. */
  sha256: string;
  /** The first bytes (at most HEAD_BYTES, 256 KiB), for magic-byte typing and EXIF. */
  head: Buffer;
}

export interface CommitExpectations {
  expectedSize?: number | undefined;
  /** Lower-case hex. */
  expectedSha256?: string | undefined;
}

export interface CommitResult {
  sha256: string;
  size: number;
  /** False when the same content was already stored (the temp was just removed). */
  created: boolean;
}

/** Inclusive byte positions, as in an HTTP Range header. */
export interface ByteRange {
  start: number;
  end: number;
}

export interface BlobRead {
  body: Readable;
  /** The size of the whole blob (for Content-Range), not of this read. */
  size: number;
  /** The bytes `body` yields: the range asked for (its end cut to the blob's), or null for the whole blob. */
  range: ByteRange | null;
}
