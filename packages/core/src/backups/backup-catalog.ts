import { Readable } from "node:stream";

import type { BackupKind, BackupRecord } from "@lifeline/db";

import type { BackupStore } from "./backup-store";

/**
 * What a restore needs to know about a backup, kept in the backup store beside the backup
 * itself (records/<kind>/<id>.json, and records/latest-<kind>.json for the newest verified
 * one): the database that holds BackupRecord may be the very thing being recovered.
 */
export type BackupRef = Pick<
  BackupRecord,
  "id" | "kind" | "location" | "sha256" | "sizeBytes" | "startedAt" | "details"
>;

const MAX_ENTRY_BYTES = 1024 * 1024;

const entryKey = (kind: BackupKind, id: string) => `records/${kind}/${id}.json`;
const latestKey = (kind: BackupKind) => `records/latest-${kind}.json`;

function serialise(record: BackupRef): string {
  return JSON.stringify({
    id: record.id,
    kind: record.kind,
    location: record.location,
    sha256: record.sha256,
    sizeBytes: record.sizeBytes === null ? null : record.sizeBytes.toString(),
    startedAt: record.startedAt.toISOString(),
    details: record.details,
  });
}

/** Records a verified backup in the store's catalog, and as the newest of its kind. */
export async function writeCatalogEntry(store: BackupStore, record: BackupRef): Promise<void> {
  const body = serialise(record);
  await store.putObject(entryKey(record.kind, record.id), Readable.from([Buffer.from(body)]), {
    maxBytes: MAX_ENTRY_BYTES,
  });
  await store.putObject(latestKey(record.kind), Readable.from([Buffer.from(body)]), {
    maxBytes: MAX_ENTRY_BYTES,
  });
}

export async function deleteCatalogEntry(
  store: BackupStore,
  kind: BackupKind,
  id: string,
): Promise<void> {
  await store.deleteObject(entryKey(kind, id));
}

/** A backup of the catalog by id (either kind), or the newest verified one of `kind`; null when absent. */
export async function readCatalogEntry(
  store: BackupStore,
  which: { id: string } | { latest: BackupKind },
): Promise<BackupRef | null> {
  const keys =
    "id" in which
      ? [entryKey("database", which.id), entryKey("media", which.id)]
      : [latestKey(which.latest)];
  for (const key of keys) {
    const read = await store.getObject(key);
    if (!read) continue;
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of read.body as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > MAX_ENTRY_BYTES) throw new Error(`the catalog entry ${key} is too large`);
      chunks.push(chunk);
    }
    return parseEntry(key, Buffer.concat(chunks).toString("utf8"));
  }
  return null;
}

function parseEntry(key: string, text: string): BackupRef {
  const bad = () => new Error(`the catalog entry ${key} is malformed`);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw bad();
  }
  if (typeof value !== "object" || value === null) throw bad();
  const v = value as Record<string, unknown>;
  const { id, kind, location, sha256, sizeBytes, startedAt } = v;
  if (
    typeof id !== "string" ||
    (kind !== "database" && kind !== "media") ||
    typeof location !== "string" ||
    !(sha256 === null || typeof sha256 === "string") ||
    !(sizeBytes === null || (typeof sizeBytes === "string" && /^\d+$/.test(sizeBytes))) ||
    typeof startedAt !== "string" ||
    Number.isNaN(Date.parse(startedAt))
  ) {
    throw bad();
  }
  return {
    id,
    kind,
    location,
    sha256,
    sizeBytes: sizeBytes === null ? null : BigInt(sizeBytes),
    startedAt: new Date(startedAt),
    details: v.details ?? {},
  };
}
