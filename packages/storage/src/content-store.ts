import { createHash } from "node:crypto";
import type { Readable } from "node:stream";

import type { RequestLogger } from "@lifeline/logger";

import type { StorageBackend } from "./backend";
import type {
  BlobRead,
  BlobStorage,
  ByteRange,
  CommitExpectations,
  CommitResult,
  PutOptions,
  TempBlob,
} from "./blob-storage";
import { BlobIntegrityError, BlobNotFoundError, type IntegrityMismatch } from "./errors";
import {
  assertObjectKey,
  assertSha256,
  assertTempKey,
  BLOB_PREFIX,
  blobKey,
  newTempKey,
  sha256OfBlobKey,
  TEMP_PREFIX,
} from "./keys";
import { meterBody, type Measurement } from "./meter";
import { checkRange } from "./ranges";

export type StorageLogger = Pick<RequestLogger, "info" | "warn">;

/**
 * Measurements of temps this process wrote, kept until commit or discard. A temp missing
 * here (written by another process, or before a restart) is hashed again from storage at
 * commit, so verification never depends on this cache. Bounded: an upload route that forgets
 * to discard costs a re-hash later, not memory.
 */
const MAX_REMEMBERED_TEMPS = 10_000;

/** BlobStorage on top of any backend: the invariants are kept here, once for every driver. */
export class ContentStore implements BlobStorage {
  readonly #measured = new Map<string, Measurement>();

  constructor(
    private readonly backend: StorageBackend,
    private readonly logger: StorageLogger,
  ) {}

  get driver() {
    return this.backend.name;
  }

  async putTemp(body: Readable, options: PutOptions): Promise<TempBlob> {
    const { maxBytes, signal } = options;
    if (!Number.isSafeInteger(maxBytes) || maxBytes < 0 || maxBytes > this.backend.maxObjectBytes) {
      throw new RangeError(
        `maxBytes must be a whole number from 0 to ${this.backend.maxObjectBytes} for the ${this.backend.name} driver`,
      );
    }
    signal?.throwIfAborted();
    const tempKey = newTempKey();
    const metered = meterBody(body, { maxBytes, signal });
    try {
      await this.backend.write(tempKey, metered.stream);
      // An abort after the last byte was written still means "I no longer want this".
      signal?.throwIfAborted();
    } catch (error) {
      // The meter's own error (too large, the body's failure, the abort) is the cause; the
      // driver's error is often only its echo ("stream destroyed").
      const cause: unknown = metered.stream.errored ?? error;
      metered.detach();
      await this.#removeQuietly(tempKey, "partial temp");
      throw cause;
    }
    metered.detach();
    const measured = metered.stream.result();
    this.#remember(tempKey, { size: measured.size, sha256: measured.sha256 });
    return { tempKey, ...measured };
  }

  async commit(
    tempKey: string,
    sha256: string,
    expected: CommitExpectations = {},
  ): Promise<CommitResult> {
    assertTempKey(tempKey);
    assertSha256(sha256);
    if (expected.expectedSha256 !== undefined) {
      assertSha256(expected.expectedSha256, "expectedSha256");
    }
    const storedSize = await this.backend.size(tempKey);
    if (storedSize === null) {
      this.#measured.delete(tempKey);
      throw new BlobNotFoundError(tempKey);
    }
    const measured = this.#measured.get(tempKey) ?? (await this.#measure(tempKey));
    const mismatches: IntegrityMismatch[] = [];
    const check = (
      field: IntegrityMismatch["field"],
      want: string | number,
      got: string | number,
    ) => {
      if (want !== got) mismatches.push({ field, expected: want, actual: got });
    };
    check("sha256", sha256, measured.sha256);
    if (expected.expectedSha256 !== undefined) {
      check("expectedSha256", expected.expectedSha256, measured.sha256);
    }
    if (expected.expectedSize !== undefined) {
      check("expectedSize", expected.expectedSize, measured.size);
    }
    // The temp on storage must still be the bytes that were measured (not cut short since).
    check("storedSize", measured.size, storedSize);
    if (mismatches.length) {
      await this.discard(tempKey);
      throw new BlobIntegrityError(mismatches);
    }

    const target = blobKey(sha256);
    let created = false;
    if ((await this.backend.size(target)) === null) {
      await this.backend.move(tempKey, target);
      created = true;
    } else {
      // Same address, same bytes: the stored blob stays as it is.
      await this.backend.remove(tempKey);
    }
    this.#measured.delete(tempKey);
    return { sha256, size: measured.size, created };
  }

  async discard(tempKey: string): Promise<void> {
    assertTempKey(tempKey);
    this.#measured.delete(tempKey);
    await this.backend.remove(tempKey);
  }

  async exists(sha256: string): Promise<boolean> {
    return (await this.backend.size(blobKey(sha256))) !== null;
  }

  async stat(sha256: string): Promise<{ size: number } | null> {
    const size = await this.backend.size(blobKey(sha256));
    return size === null ? null : { size };
  }

  async get(sha256: string, range?: ByteRange): Promise<BlobRead | null> {
    const key = blobKey(sha256);
    if (range) checkRange(range);
    return this.backend.read(key, range);
  }

  async delete(sha256: string): Promise<void> {
    await this.backend.remove(blobKey(sha256));
  }

  async *list(options: { modifiedBefore?: Date } = {}): AsyncIterable<string> {
    for await (const key of this.backend.list(BLOB_PREFIX, options)) {
      const sha256 = sha256OfBlobKey(key);
      if (sha256) yield sha256;
    }
  }

  async sweepTemp(olderThan: Date): Promise<number> {
    let removed = 0;
    // Collected first: removing while a listing pages through the same prefix can skip keys.
    const stale: string[] = [];
    for await (const key of this.backend.list(TEMP_PREFIX, { modifiedBefore: olderThan })) {
      stale.push(key);
    }
    for (const key of stale) {
      await this.backend.remove(key);
      this.#measured.delete(key);
      removed += 1;
    }
    removed += (await this.backend.sweepIncomplete?.(TEMP_PREFIX, olderThan)) ?? 0;
    if (removed) this.logger.info({ removed, olderThan }, "storage: swept leftover temp objects");
    return removed;
  }

  async putObject(
    key: string,
    body: Readable,
    options: PutOptions,
  ): Promise<{ size: number; sha256: string }> {
    assertObjectKey(key);
    const temp = await this.putTemp(body, options);
    this.#measured.delete(temp.tempKey);
    try {
      await this.backend.move(temp.tempKey, key);
    } catch (error) {
      await this.#removeQuietly(temp.tempKey, "temp of a derived object");
      throw error;
    }
    return { size: temp.size, sha256: temp.sha256 };
  }

  async getObject(key: string, range?: ByteRange): Promise<BlobRead | null> {
    assertObjectKey(key);
    if (range) checkRange(range);
    return this.backend.read(key, range);
  }

  async deleteObject(key: string): Promise<void> {
    assertObjectKey(key);
    await this.backend.remove(key);
  }

  #remember(tempKey: string, measurement: Measurement): void {
    if (this.#measured.size >= MAX_REMEMBERED_TEMPS) {
      const oldest = this.#measured.keys().next();
      if (!oldest.done) this.#measured.delete(oldest.value);
    }
    this.#measured.set(tempKey, measurement);
  }

  /** Hashes a temp from storage: for temps this process did not write (or forgot). */
  async #measure(tempKey: string): Promise<Measurement> {
    const read = await this.backend.read(tempKey);
    if (!read) throw new BlobNotFoundError(tempKey);
    const hash = createHash("sha256");
    let size = 0;
    for await (const chunk of read.body as AsyncIterable<Uint8Array>) {
      hash.update(chunk);
      size += chunk.byteLength;
    }
    return { size, sha256: hash.digest("hex") };
  }

  /** Cleanup after a failure: its own failure is logged, never thrown over the real error. */
  async #removeQuietly(key: string, what: string): Promise<void> {
    try {
      await this.backend.remove(key);
    } catch (error) {
      this.logger.warn(
        { key, err: error },
        `storage: could not remove a ${what}; sweepTemp will remove it later`,
      );
    }
  }
}
