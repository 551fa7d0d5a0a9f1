import type { Readable } from "node:stream";

import type { BlobRead, ByteRange, StorageDriverName } from "./blob-storage";

/**
 * What a driver provides: plain operations on keys (`blobs/…`, `tmp/…`, `thumbnails/…`).
 * The invariants (hashing, verification, cleanup, key shapes) live once, in ContentStore,
 * on top of these; a driver only has to make `move` atomic.
 */
export interface StorageBackend {
  readonly name: StorageDriverName;
  /** The largest object `move` can handle (S3's single CopyObject stops at 5 GiB). */
  readonly maxObjectBytes: number;

  /**
   * Writes the whole stream to `key` and resolves once it is durable; rejects when the
   * stream fails. May leave a partial object behind on failure (the store removes it).
   */
  write(key: string, body: Readable): Promise<void>;

  /**
   * Makes `to` hold what `from` holds, replacing any earlier `to`, then removes `from`.
   * Atomic for readers of `to`: they see the old object, or none, or all of the new one.
   */
  move(from: string, to: string): Promise<void>;

  /** The object's size in bytes, or null when absent. */
  size(key: string): Promise<number | null>;

  /** Reads an object, or the part of it that `range` names (already checked, not yet fitted to the size). */
  read(key: string, range?: ByteRange): Promise<BlobRead | null>;

  /** Removes an object; absent is fine. */
  remove(key: string): Promise<void>;

  /** The key of every object under `prefix`; with `modifiedBefore`, only those last written before it. */
  list(prefix: string, options?: { modifiedBefore?: Date }): AsyncIterable<string>;

  /** Extra cleanup for `sweepTemp` (S3: multipart uploads a crash abandoned); returns a count. */
  sweepIncomplete?(prefix: string, olderThan: Date): Promise<number>;
}
