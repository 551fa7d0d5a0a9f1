import { createInterface } from "node:readline";
import { Readable } from "node:stream";
import { createGunzip } from "node:zlib";

import type { BlobStorage } from "@lifeline/storage";

/**
 * A media backup's manifest: gzip-compressed JSON lines, a header then one line per blob the
 * database referenced when it was taken (`{"sha256":…,"size":…}`). Its own sha256 is on the
 * BackupRecord and in a sidecar. Read and written as streams: a million blobs never sit in memory.
 */
export const MANIFEST_FORMAT = "lifeline-media-manifest";

export interface ManifestHeader {
  format: typeof MANIFEST_FORMAT;
  version: 1;
  backupId: string;
  databaseBackupId: string;
  createdAt: string;
}

export interface ManifestEntry {
  sha256: string;
  size: number;
}

const SHA256 = /^[0-9a-f]{64}$/;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isHeader(value: unknown): boolean {
  return isRecord(value) && value.format === MANIFEST_FORMAT && value.version === 1;
}

function asEntry(value: unknown): ManifestEntry | null {
  if (!isRecord(value)) return null;
  const { sha256, size } = value;
  if (typeof sha256 !== "string" || !SHA256.test(sha256)) return null;
  if (typeof size !== "number" || !Number.isSafeInteger(size) || size < 0) return null;
  return { sha256, size };
}

export class ManifestError extends Error {
  override name = "ManifestError";
}

/** The manifest's lines, one string each (header first). */
export function manifestLine(value: ManifestHeader | ManifestEntry): string {
  return `${JSON.stringify(value)}\n`;
}

/** Every entry of a stored manifest, checked line by line; ManifestError on anything malformed. */
export async function* readManifest(
  store: BlobStorage,
  key: string,
): AsyncGenerator<ManifestEntry, void, undefined> {
  const read = await store.getObject(key);
  if (!read) throw new ManifestError(`the manifest ${key} is missing from the backup store`);
  const gunzip = createGunzip();
  read.body.on("error", (error) => gunzip.destroy(error));
  const lines = createInterface({ input: read.body.pipe(gunzip), crlfDelay: Infinity });
  let header = false;
  let number = 0;
  try {
    for await (const line of lines) {
      number += 1;
      if (!line) continue;
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch {
        throw new ManifestError(`the manifest ${key} has a line that is not JSON (line ${number})`);
      }
      if (!header) {
        if (!isHeader(value)) {
          throw new ManifestError(`the manifest ${key} does not start with a manifest header`);
        }
        header = true;
        continue;
      }
      const entry = asEntry(value);
      if (!entry)
        throw new ManifestError(`the manifest ${key} has a malformed entry (line ${number})`);
      yield entry;
    }
  } catch (error) {
    if (error instanceof ManifestError) throw error;
    throw new ManifestError(
      `the manifest ${key} cannot be read: ${error instanceof Error ? error.message : String(error)}`,
    );
  } finally {
    read.body.destroy();
  }
  if (!header) throw new ManifestError(`the manifest ${key} is empty`);
}

export function manifestBody(lines: AsyncIterable<string>): Readable {
  return Readable.from(lines);
}
