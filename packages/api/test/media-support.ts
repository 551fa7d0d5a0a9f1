import { createHash, randomBytes, randomUUID } from "node:crypto";
import { Readable } from "node:stream";

import type { Db, MediaKind, MediaSource, MediaStatus, ThumbnailStatus } from "@lifeline/db";
import type { BlobStorage } from "@lifeline/storage";

import type { Harness } from "./harness";
import { uniqueEmail } from "./harness";

/**
 * Media items for the read-side tests, made the way ingest leaves them (a row per item, its
 * blob put through storage.putTemp + commit) without going through the upload route.
 */

const PASSWORD = "correct horse battery";

/** A verified user, signed in, with a tRPC caller. */
export async function signInMediaUser(h: Harness, label: string) {
  const email = uniqueEmail(label);
  const user = await h.db.user.create({
    data: {
      email,
      passwordHash: await h.deps.passwords.hash(PASSWORD),
      emailVerifiedAt: new Date(),
    },
  });
  const { accessToken } = await (await h.caller()).auth.login({ email, password: PASSWORD });
  return { user, accessToken, caller: await h.caller(accessToken) };
}

export interface ItemSpec {
  takenAt: Date;
  source?: MediaSource;
  kind?: MediaKind;
  status?: MediaStatus;
  thumbnail?: ThumbnailStatus;
  sha256?: string | null;
  sizeBytes?: number;
  mime?: string;
  originalName?: string | null;
  caption?: string | null;
}

export const fakeSha = () => randomBytes(32).toString("hex");

/** Inserts items for `userId` in one statement; returns their ids in the order given. */
export async function insertItems(db: Db, userId: string, specs: ItemSpec[]): Promise<string[]> {
  const rows = specs.map((spec) => {
    const kind = spec.kind ?? "image";
    return {
      id: randomUUID(),
      userId,
      source: spec.source ?? "upload",
      kind,
      status: spec.status ?? "stored",
      takenAt: spec.takenAt,
      caption: spec.caption ?? null,
      mime: kind === "post" ? null : (spec.mime ?? "image/jpeg"),
      sizeBytes: kind === "post" ? null : BigInt(spec.sizeBytes ?? 1234),
      sha256: kind === "post" ? null : spec.sha256 === undefined ? fakeSha() : spec.sha256,
      originalName: spec.originalName === undefined ? "photo.jpg" : spec.originalName,
      thumbnail: spec.thumbnail ?? "none",
    };
  });
  await db.mediaItem.createMany({ data: rows });
  return rows.map((row) => row.id);
}

/** Stores `bytes` as a blob, as ingest does (temp, then commit under its hash). */
export async function storeBlob(storage: BlobStorage, bytes: Buffer): Promise<string> {
  const temp = await storage.putTemp(Readable.from([bytes]), { maxBytes: bytes.length + 1 });
  await storage.commit(temp.tempKey, temp.sha256, { expectedSize: bytes.length });
  return temp.sha256;
}

export const sha256Of = (bytes: Buffer) => createHash("sha256").update(bytes).digest("hex");

/** Items in timeline order (takenAt desc, then id desc, as Postgres orders uuids). */
export function timelineOrder<T extends { id: string; takenAt: Date | string }>(items: T[]): T[] {
  return [...items].sort((a, b) => {
    const byTime = new Date(b.takenAt).getTime() - new Date(a.takenAt).getTime();
    if (byTime !== 0) return byTime;
    return a.id < b.id ? 1 : a.id > b.id ? -1 : 0;
  });
}
