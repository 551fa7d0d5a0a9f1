import { randomUUID } from "node:crypto";

/**
 * Where things live inside a store (a directory on disk, or a bucket):
 *   blobs/ab/cd/<sha256>   content, named by the sha256 of its bytes (two levels of fan-out
 *                          keep directories small: 65 536 of them for any number of blobs)
 *   tmp/<uuid>             uploads in progress and uncommitted uploads
 *   <namespace>/<name>     derived files (e.g. thumbnails/<sha256>.webp)
 */

const SHA256 = /^[0-9a-f]{64}$/;
const TEMP_KEY = /^tmp\/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const BLOB_KEY = /^blobs\/([0-9a-f]{2})\/([0-9a-f]{2})\/([0-9a-f]{64})$/;
/**
 * A namespace then one or more name segments; every segment starts with a letter or digit,
 * so `.`, `..` and hidden names cannot occur and a key never leaves the store's root.
 */
const OBJECT_KEY = /^[a-z0-9][a-z0-9-]*(?:\/[A-Za-z0-9][A-Za-z0-9._-]*)+$/;
const RESERVED_NAMESPACES = new Set(["blobs", "tmp"]);
const MAX_OBJECT_KEY_LENGTH = 512;

export const BLOB_PREFIX = "blobs/";
export const TEMP_PREFIX = "tmp/";

export function isSha256(value: string): boolean {
  return SHA256.test(value);
}

export function assertSha256(value: string, name = "sha256"): void {
  if (!SHA256.test(value)) throw new TypeError(`${name} must be 64 lower-case hex digits`);
}

export function blobKey(sha256: string): string {
  assertSha256(sha256);
  return `${BLOB_PREFIX}${sha256.slice(0, 2)}/${sha256.slice(2, 4)}/${sha256}`;
}

/** The sha256 a blob key names, or null for anything else under blobs/ (a stray file). */
export function sha256OfBlobKey(key: string): string | null {
  const match = BLOB_KEY.exec(key);
  if (!match) return null;
  const [, first, second, sha256] = match as unknown as [string, string, string, string];
  return sha256.startsWith(first + second) ? sha256 : null;
}

export function newTempKey(): string {
  return `${TEMP_PREFIX}${randomUUID()}`;
}

/** Temp keys come back from callers: only the exact shape we hand out is accepted. */
export function assertTempKey(key: string): void {
  if (!TEMP_KEY.test(key)) throw new TypeError("tempKey must be a key returned by putTemp");
}

export function isTempKey(key: string): boolean {
  return TEMP_KEY.test(key);
}

/** Keys of derived files: namespaced, and never inside blobs/ or tmp/. */
export function assertObjectKey(key: string): void {
  const namespace = key.split("/", 1)[0] ?? "";
  if (
    key.length > MAX_OBJECT_KEY_LENGTH ||
    !OBJECT_KEY.test(key) ||
    RESERVED_NAMESPACES.has(namespace)
  ) {
    throw new TypeError(
      `object key must be "<namespace>/<name>" (letters, digits, . _ -; at most ${MAX_OBJECT_KEY_LENGTH} characters), outside blobs/ and tmp/`,
    );
  }
}
