import { createHash, randomBytes, randomUUID } from "node:crypto";
import { chmod, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { Readable } from "node:stream";

import { withPgClient, type BackupDeps } from "@lifeline/core/backups";
import { createDb, type Db } from "@lifeline/db";
import { createTestDatabase, type TestDatabase } from "@lifeline/db/testing";
import { silentLogger } from "@lifeline/logger";
import { createLocalBlobStorage, type BlobStorage } from "@lifeline/storage";

/** A temp directory, removed by the returned function. */
export async function tempDir(
  label: string,
): Promise<{ dir: string; remove: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), `lifeline-${label}-`));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

/** A migrated database of its own and its Prisma client. */
export async function scratchDatabase(label = "backups"): Promise<TestDatabase & { db: Db }> {
  const database = await createTestDatabase(label);
  const db = createDb(database.url);
  return {
    ...database,
    db,
    drop: async () => {
      await db.$disconnect();
      await database.drop();
    },
  };
}

export function localStore(dir: string): BlobStorage {
  return createLocalBlobStorage(dir, silentLogger());
}

export function backupDeps(options: {
  db: Db;
  databaseUrl: string;
  store: BlobStorage;
  media: BlobStorage;
  now?: () => Date;
  tools?: Partial<BackupDeps["tools"]>;
  retention?: BackupDeps["retention"];
  jobs?: BackupDeps["jobs"];
}): BackupDeps {
  return {
    db: options.db,
    databaseUrl: options.databaseUrl,
    store: options.store,
    media: options.media,
    tools: { pgDump: "pg_dump", pgRestore: "pg_restore", ...options.tools },
    retention: options.retention ?? { daily: 7, weekly: 4, monthly: 6 },
    logger: silentLogger(),
    now: options.now ?? (() => new Date()),
    jobs: options.jobs,
    alertsEnabled: options.jobs !== undefined,
  };
}

/** Stores `bytes` in a media store the way ingest does (temp, then commit under its hash). */
export async function storeBlob(media: BlobStorage, bytes: Buffer): Promise<string> {
  const temp = await media.putTemp(Readable.from([bytes]), { maxBytes: bytes.length });
  await media.commit(temp.tempKey, temp.sha256);
  return temp.sha256;
}

/**
 * Users, sessions-free, with media items whose bytes are in `media`: `blobs` distinct random
 * blobs of `blobBytes` each (some shared by two items), plus a post without bytes and a
 * pending item. Returns the blobs' sha256s and bytes.
 */
export async function populate(
  db: Db,
  media: BlobStorage,
  options: { users?: number; blobs?: number; blobBytes?: number } = {},
): Promise<Map<string, Buffer>> {
  const blobs = new Map<string, Buffer>();
  const users = await Promise.all(
    Array.from({ length: options.users ?? 2 }, (_, i) =>
      db.user.create({
        data: { email: `user${i}-${randomUUID()}@example.com`, passwordHash: "x".repeat(60) },
      }),
    ),
  );
  for (let i = 0; i < (options.blobs ?? 6); i += 1) {
    const bytes = randomBytes(options.blobBytes ?? 50_000 + i * 1000);
    const sha256 = await storeBlob(media, bytes);
    blobs.set(sha256, bytes);
    // Every blob belongs to one user; the first is also another's (same bytes, two items).
    const owners = i === 0 ? users : [users[i % users.length]];
    for (const user of owners) {
      if (!user) continue;
      await db.mediaItem.create({
        data: {
          userId: user.id,
          source: "upload",
          kind: "image",
          status: "stored",
          takenAt: new Date(Date.UTC(2020, 0, 1 + i)),
          sha256,
          uploadSha256: sha256,
          sizeBytes: BigInt(bytes.length),
          caption: `caption ${i} ✓ "quoted"`,
        },
      });
    }
  }
  const [first] = users;
  if (first) {
    await db.mediaItem.create({
      data: {
        userId: first.id,
        source: "upload",
        kind: "post",
        takenAt: new Date(),
        caption: "a post",
      },
    });
    await db.mediaItem.create({
      data: {
        userId: first.id,
        source: "provider",
        kind: "image",
        status: "pending",
        takenAt: new Date(),
      },
    });
  }
  return blobs;
}

/** Every row of every table as Postgres prints it, sorted: equal snapshots are equal data. */
export async function snapshotRows(url: string): Promise<Record<string, string[]>> {
  return withPgClient(url, async (client) => {
    const { rows: tables } = await client.query<{ name: string }>(
      `SELECT format('%I.%I', schemaname, tablename) AS name FROM pg_tables
        WHERE schemaname NOT IN ('pg_catalog', 'information_schema') ORDER BY 1`,
    );
    const snapshot: Record<string, string[]> = {};
    for (const { name } of tables) {
      const { rows } = await client.query<{ row: string }>(
        `SELECT t::text AS row FROM ${name} t ORDER BY 1`,
      );
      snapshot[name] = rows.map((r) => r.row);
    }
    return snapshot;
  });
}

export const sha256Of = (bytes: Buffer) => createHash("sha256").update(bytes).digest("hex");

/** A file of the local store at `key` (blobs/ab/cd/<sha>, database/…): for corrupting it. */
export function storeFile(root: string, key: string): string {
  return path.join(root, ...key.split("/"));
}

export function blobFile(root: string, sha256: string): string {
  return storeFile(root, `blobs/${sha256.slice(0, 2)}/${sha256.slice(2, 4)}/${sha256}`);
}

/** Flips one byte in the middle of a file. */
export async function corrupt(file: string): Promise<void> {
  const bytes = await readFile(file);
  const at = Math.floor(bytes.length / 2);
  bytes[at] = (bytes[at] ?? 0) ^ 0xff;
  await writeFile(file, bytes);
}

/** An executable script standing in for a PostgreSQL tool (e.g. an old pg_dump). */
export async function fakeTool(dir: string, name: string, script: string): Promise<string> {
  const file = path.join(dir, name);
  await writeFile(file, `#!/bin/sh\n${script}\n`);
  await chmod(file, 0o755);
  return file;
}
