import { readFile, rm } from "node:fs/promises";

import {
  createBackupStore,
  readCatalogEntry,
  restoreDatabaseDump,
  restoreMediaBlobs,
  RestoreRefusedError,
  runBackup,
  sameServerUrl,
} from "@lifeline/core/backups";
import { dropDatabase } from "@lifeline/db/testing";
import { silentLogger } from "@lifeline/logger";
import { s3TestStore, startS3Server, type S3TestServer } from "@lifeline/storage/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import {
  backupDeps,
  blobFile,
  localStore,
  populate,
  scratchDatabase,
  snapshotRows,
  tempDir,
} from "./support/backups";
import { testEnvVars } from "./support/env";
import { spawnTs } from "./support/spawn";

/**
 * The whole point of backups: a populated database and media store, backed up, wiped,
 * restored, and every row and every blob byte for byte as it was.
 */
describe("backup, wipe, restore", () => {
  it("brings back every row and every blob byte-identical", async () => {
    const source = await scratchDatabase();
    const mediaDir = await tempDir("media");
    const storeDir = await tempDir("backups");
    const restoredMediaDir = await tempDir("media-restored");
    try {
      const media = localStore(mediaDir.dir);
      const blobs = await populate(source.db, media, { users: 3, blobs: 8 });
      const before = await snapshotRows(source.url);
      const deps = backupDeps({
        db: source.db,
        databaseUrl: source.url,
        store: localStore(storeDir.dir),
        media,
      });
      const result = await runBackup(deps, "media", { alert: false });
      expect(result.database.status).toBe("verified");
      expect(result.media?.status).toBe("verified");
      expect(result.media?.details).toMatchObject({ blobs: blobs.size, copiedBlobs: blobs.size });

      // Wipe both: the database is dropped, the media directory deleted.
      await source.db.$disconnect();
      await dropDatabase(source.url);
      await rm(mediaDir.dir, { recursive: true, force: true });

      // Restore from the backup store alone (the catalog), as the runbook does.
      const latest = await readCatalogEntry(deps.store, { latest: "database" });
      expect(latest?.id).toBe(result.database.id);
      if (!latest) throw new Error("no catalog entry");
      const restoredMedia = localStore(restoredMediaDir.dir);
      const restored = await restoreDatabaseDump(deps, latest, source.url, { force: false });
      expect(restored.created).toBe(true);
      const mediaResult = await restoreMediaBlobs(deps, source.url, restoredMedia);
      expect(mediaResult).toMatchObject({
        referenced: blobs.size,
        restored: blobs.size,
        missing: 0,
      });

      const after = await snapshotRows(source.url);
      // backup_records holds, as of the dump, the running record of that very backup.
      const { "public.backup_records": backupRows, ...rest } = after;
      const { "public.backup_records": backupRowsBefore, ...restBefore } = before;
      expect(backupRowsBefore).toEqual([]);
      expect(backupRows).toHaveLength(1);
      expect(backupRows?.[0]).toContain(result.database.id);
      expect(rest).toEqual(restBefore);
      // 8 blobs (the first shared by all 3 users: 10 items), a post and a pending item.
      expect(rest["public.media_items"]).toHaveLength(12);

      const listed: string[] = [];
      for await (const sha256 of restoredMedia.list()) listed.push(sha256);
      expect(listed.sort()).toEqual([...blobs.keys()].sort());
      for (const [sha256, bytes] of blobs) {
        expect((await readFile(blobFile(restoredMediaDir.dir, sha256))).equals(bytes)).toBe(true);
      }
    } finally {
      await source.drop();
      await Promise.all([mediaDir.remove(), storeDir.remove(), restoredMediaDir.remove()]);
    }
  }, 120_000);

  it("a second media backup copies only the blobs the store lacks", async () => {
    const source = await scratchDatabase();
    const mediaDir = await tempDir("media");
    const storeDir = await tempDir("backups");
    try {
      const media = localStore(mediaDir.dir);
      const deps = backupDeps({
        db: source.db,
        databaseUrl: source.url,
        store: localStore(storeDir.dir),
        media,
      });
      await populate(source.db, media, { users: 1, blobs: 3 });
      await runBackup(deps, "media", { alert: false });
      await populate(source.db, media, { users: 1, blobs: 2 });
      const second = await runBackup(deps, "media", { alert: false });
      expect(second.media?.details).toMatchObject({ blobs: 5, copiedBlobs: 2 });
    } finally {
      await source.drop();
      await Promise.all([mediaDir.remove(), storeDir.remove()]);
    }
  }, 120_000);

  it("refuses a target database that has tables unless forced", async () => {
    const source = await scratchDatabase();
    const other = await scratchDatabase("target");
    const mediaDir = await tempDir("media");
    const storeDir = await tempDir("backups");
    try {
      const media = localStore(mediaDir.dir);
      await populate(source.db, media, { users: 1, blobs: 1 });
      const deps = backupDeps({
        db: source.db,
        databaseUrl: source.url,
        store: localStore(storeDir.dir),
        media,
      });
      const { database } = await runBackup(deps, "database", { alert: false });
      // `other` is migrated (it has tables, empty ones): not a target without --force.
      await expect(
        restoreDatabaseDump(deps, database, other.url, { force: false }),
      ).rejects.toThrow(RestoreRefusedError);
      expect(await other.db.user.count()).toBe(0);
      const forced = await restoreDatabaseDump(deps, database, other.url, { force: true });
      expect(forced.tables["public.users"]).toBe(1);
      expect(await snapshotRows(other.url)).toMatchObject({
        "public.users": (await snapshotRows(source.url))["public.users"],
      });
    } finally {
      await Promise.all([source.drop(), other.drop()]);
      await Promise.all([mediaDir.remove(), storeDir.remove()]);
    }
  }, 120_000);
});

describe("backups in an S3-compatible bucket", () => {
  let s3: S3TestServer;
  beforeAll(async () => {
    s3 = await startS3Server();
  }, 30_000);
  afterAll(async () => {
    await s3.stop();
  });

  it("backs up, verifies and restores the media through the s3 driver", async () => {
    const source = await scratchDatabase();
    const mediaDir = await tempDir("media");
    const restoredDir = await tempDir("media-restored");
    const bucket = await s3TestStore(s3);
    try {
      const media = localStore(mediaDir.dir);
      const blobs = await populate(source.db, media, { users: 2, blobs: 4 });
      const store = createBackupStore(
        {
          BACKUP_DRIVER: "s3",
          BACKUP_DIR: "unused",
          BACKUP_S3_ENDPOINT: bucket.env.S3_ENDPOINT,
          BACKUP_S3_REGION: "us-east-1",
          BACKUP_S3_BUCKET: bucket.env.S3_BUCKET,
          BACKUP_S3_ACCESS_KEY_ID: bucket.env.S3_ACCESS_KEY_ID,
          BACKUP_S3_SECRET_ACCESS_KEY: bucket.env.S3_SECRET_ACCESS_KEY,
        },
        silentLogger(),
      );
      const deps = backupDeps({ db: source.db, databaseUrl: source.url, store, media });
      const result = await runBackup(deps, "media", { alert: false });
      expect(result.media?.status).toBe("verified");
      const keys = await bucket.rawKeys();
      expect(keys).toContain(result.database.location);
      expect(keys.filter((k) => k.startsWith("blobs/"))).toHaveLength(blobs.size);

      const target = sameServerUrl(source.url, `${new URL(source.url).pathname.slice(1)}_r`);
      try {
        await restoreDatabaseDump(deps, result.database, target, { force: false });
        const restoredMedia = localStore(restoredDir.dir);
        const restored = await restoreMediaBlobs(deps, target, restoredMedia);
        expect(restored.restored).toBe(blobs.size);
        for (const [sha256, bytes] of blobs) {
          expect((await readFile(blobFile(restoredDir.dir, sha256))).equals(bytes)).toBe(true);
        }
      } finally {
        await dropDatabase(target);
      }
    } finally {
      await bucket.remove();
      await source.drop();
      await Promise.all([mediaDir.remove(), restoredDir.remove()]);
    }
  }, 120_000);
});

describe("pnpm backup:run and pnpm backup:restore", () => {
  it("back up with progress, restore into a new database, and refuse it the second time", async () => {
    const source = await scratchDatabase();
    const mediaDir = await tempDir("media");
    const storeDir = await tempDir("backups");
    const restoredDir = await tempDir("media-restored");
    const target = `${new URL(source.url).pathname.slice(1)}_cli`;
    try {
      const blobs = await populate(source.db, localStore(mediaDir.dir), { users: 1, blobs: 2 });
      const env = testEnvVars({
        DATABASE_URL: source.url,
        BACKUP_DIR: storeDir.dir,
        MEDIA_DIR: mediaDir.dir,
      });
      const backup = spawnTs("src/scripts/backup-cli.ts", ["run", "media"], env);
      expect(await backup.exited).toBe(0);
      expect(backup.output()).toContain("taking the database dump");
      expect(backup.output()).toMatch(/media backup [0-9a-f-]{36} verified/);

      const restoreEnv = { ...env, MEDIA_DIR: restoredDir.dir };
      const restore = spawnTs(
        "src/scripts/backup-cli.ts",
        ["restore", "--into", target],
        restoreEnv,
      );
      expect(await restore.exited).toBe(0);
      expect(restore.output()).toContain(`database ${target} (created)`);
      expect(restore.output()).toContain("every table has the row count recorded at backup time");
      expect(restore.output()).toContain(
        `media: ${blobs.size} blobs referenced; ${blobs.size} restored`,
      );
      for (const [sha256, bytes] of blobs) {
        expect((await readFile(blobFile(restoredDir.dir, sha256))).equals(bytes)).toBe(true);
      }

      const again = spawnTs("src/scripts/backup-cli.ts", ["restore", "--into", target], restoreEnv);
      expect(await again.exited).toBe(3);
      expect(again.output()).toContain(`the database ${target} is not empty`);
    } finally {
      await dropDatabase(sameServerUrl(source.url, target));
      await source.drop();
      await Promise.all([mediaDir.remove(), storeDir.remove(), restoredDir.remove()]);
    }
  }, 120_000);

  it("is a usage error (exit 2) without --into, naming what is missing", async () => {
    const cli = spawnTs("src/scripts/backup-cli.ts", ["restore", "--at", "not-an-id"], {});
    expect(await cli.exited).toBe(2);
    expect(cli.output()).toContain("--at must be a backup id");
    const run = spawnTs("src/scripts/backup-cli.ts", ["run", "everything"], {});
    expect(await run.exited).toBe(2);
    expect(run.output()).toContain('unknown backup kind "everything"');
  }, 60_000);
});
