import { createHash } from "node:crypto";

import type { Db, Prisma } from "@lifeline/db";

/** A transaction client: what `fn` uses for every query that must happen under the lock. */
export type BlobLockTx = Prisma.TransactionClient;

export interface BlobLockOptions {
  /**
   * How long the whole transaction may take. Generous by default: committing a blob on S3 is
   * a server-side copy, which for a 2 GiB video takes a while, and it happens under the lock.
   */
  timeoutMs?: number;
  /** How long to wait for a pooled connection before giving up. */
  maxWaitMs?: number;
}

const DEFAULT_TIMEOUT_MS = 15 * 60_000;
const DEFAULT_MAX_WAIT_MS = 10_000;

/**
 * The advisory-lock key of a blob: the first 8 bytes of a hash of its sha256, as the signed
 * 64-bit integer pg_advisory_xact_lock takes. Hashed again (domain-separated) rather than
 * sliced, so no other user of advisory locks that happens to key by raw sha256 prefixes
 * shares our keys. Two blobs sharing a key only ever wait for each other.
 */
export function blobLockKey(sha256: string): bigint {
  const digest = createHash("sha256").update("lifeline:blob-lock:").update(sha256).digest();
  return digest.readBigInt64BE(0);
}

/**
 * Runs `fn` in a transaction holding the blob's Postgres advisory lock (released when the
 * transaction ends, however it ends). The blob lock protocol (docs: media brief): ingest
 * commits the blob and then inserts or finds its row under this lock; collection checks that
 * no row references the blob and deletes it under the same lock. So a row is never
 * committed pointing at a blob a collector is deleting, and a collector never deletes a
 * blob a row was just committed for.
 */
export async function withBlobLock<T>(
  db: Db,
  sha256: string,
  fn: (tx: BlobLockTx) => Promise<T>,
  options: BlobLockOptions = {},
): Promise<T> {
  const key = blobLockKey(sha256);
  return db.$transaction(
    async (tx) => {
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(${key})`;
      return fn(tx);
    },
    {
      timeout: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      maxWait: options.maxWaitMs ?? DEFAULT_MAX_WAIT_MS,
    },
  );
}
