import type { BlobStorage } from "@lifeline/storage";

import { maxObjectBytes } from "./backup-store";

/**
 * Copies one blob between stores, streamed: written to a temp in `to` and committed under
 * its sha256, which re-hashes the bytes (a blob that does not hash to its name is refused
 * with BlobIntegrityError, and nothing is stored). Null when `from` does not have it.
 */
export async function copyBlob(
  from: BlobStorage,
  to: BlobStorage,
  sha256: string,
  signal?: AbortSignal,
): Promise<{ size: number } | null> {
  const read = await from.get(sha256);
  if (!read) return null;
  try {
    const temp = await to.putTemp(read.body, { maxBytes: maxObjectBytes(to), signal });
    const committed = await to.commit(temp.tempKey, sha256, { expectedSize: read.size });
    return { size: committed.size };
  } finally {
    read.body.destroy();
  }
}
