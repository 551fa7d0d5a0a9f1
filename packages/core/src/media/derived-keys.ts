/**
 * Where a blob's derived files live in storage. Deleting a blob does not delete them
 * (@lifeline/storage leaves that to whoever owns the naming): the collector deletes each
 * key listed here with its blob.
 */
export function thumbnailKey(sha256: string): string {
  return `thumbnails/${sha256}.webp`;
}

/** Every derived file of a blob, for collection. */
export function derivedKeys(sha256: string): string[] {
  return [thumbnailKey(sha256)];
}
