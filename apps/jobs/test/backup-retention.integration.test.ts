import { randomUUID } from "node:crypto";
import { Readable } from "node:stream";

import {
  applyRetention,
  backupKeys,
  DrillFailedError,
  runBackup,
  runDrill,
  withPgClient,
} from "@lifeline/core/backups";
import type { Logger } from "@lifeline/logger";
import { describe, expect, it, vi } from "vitest";

import {
  backupDeps,
  localStore,
  populate,
  scratchDatabase,
  storeBlob,
  tempDir,
} from "./support/backups";

/** A logger that only records what it was told, in order with the store's deletions. */
function recordingDeps<
  T extends { logger: Logger; store: { deleteObject: (key: string) => Promise<void> } },
>(deps: T, events: string[]): T {
  vi.spyOn(deps.logger, "info").mockImplementation((fields: unknown, message?: string) => {
    events.push(`log ${message ?? ""} ${JSON.stringify(fields)}`);
  });
  const deleteObject = deps.store.deleteObject.bind(deps.store);
  deps.store.deleteObject = async (key: string) => {
    events.push(`delete ${key}`);
    await deleteObject(key);
  };
  return deps;
}

describe("retention in the store, over a simulated year", () => {
  it("keeps exactly the configured set, logging each deletion before it happens", async () => {
    const source = await scratchDatabase();
    const storeDir = await tempDir("backups");
    const mediaDir = await tempDir("media");
    try {
      let now = new Date("2026-01-01T02:00:00Z");
      const events: string[] = [];
      const deps = recordingDeps(
        backupDeps({
          db: source.db,
          databaseUrl: source.url,
          store: localStore(storeDir.dir),
          media: localStore(mediaDir.dir),
          now: () => now,
        }),
        events,
      );
      // A year of daily backups (a tiny stand-in dump each: retention only moves objects).
      for (let day = 0; day < 365; day += 1) {
        now = new Date(Date.UTC(2026, 0, 1 + day, 2));
        const id = randomUUID();
        const location = backupKeys.databaseDump(id, now);
        await deps.store.putObject(location, Readable.from([Buffer.from(id)]), { maxBytes: 100 });
        await source.db.backupRecord.create({
          data: {
            id,
            kind: "database",
            status: "verified",
            location,
            startedAt: now,
            verifiedAt: now,
          },
        });
        await applyRetention(deps);
      }
      const kept = await source.db.backupRecord.findMany({ orderBy: { startedAt: "asc" } });
      expect(kept.map((r) => r.startedAt.toISOString().slice(0, 10))).toEqual([
        "2026-07-31",
        "2026-08-31",
        "2026-09-30",
        "2026-10-31",
        "2026-11-30",
        "2026-12-13",
        "2026-12-20",
        "2026-12-25",
        "2026-12-26",
        "2026-12-27",
        "2026-12-28",
        "2026-12-29",
        "2026-12-30",
        "2026-12-31",
      ]);
      // The store holds exactly the kept dumps.
      const dumps: string[] = [];
      for (const record of kept) {
        if (
          await deps.store.getObject(record.location).then((r) => (r?.body.destroy(), r !== null))
        ) {
          dumps.push(record.id);
        }
      }
      expect(dumps).toHaveLength(14);
      // Every deletion was logged, with its id, before it happened.
      const deletions = events.filter(
        (e) => e.startsWith("delete database/") && e.endsWith(".dump"),
      );
      expect(deletions).toHaveLength(365 - 14);
      for (const deletion of deletions) {
        const id = /([0-9a-f-]{36})\.dump/.exec(deletion)?.[1] ?? "?";
        const logged = events.findIndex(
          (e) => e.startsWith("log retention: deleting") && e.includes(id),
        );
        expect(logged).toBeGreaterThanOrEqual(0);
        expect(logged).toBeLessThan(events.indexOf(deletion));
      }
    } finally {
      await source.drop();
      await Promise.all([storeDir.remove(), mediaDir.remove()]);
    }
  }, 180_000);

  it("deletes a backed-up blob only when no retained media manifest lists it", async () => {
    const source = await scratchDatabase();
    const storeDir = await tempDir("backups");
    const mediaDir = await tempDir("media");
    try {
      let now = new Date("2026-03-01T03:00:00Z");
      const media = localStore(mediaDir.dir);
      const deps = backupDeps({
        db: source.db,
        databaseUrl: source.url,
        store: localStore(storeDir.dir),
        media,
        now: () => now,
        retention: { daily: 2, weekly: 0, monthly: 0 },
      });
      const first = [...(await populate(source.db, media, { users: 1, blobs: 2 })).keys()];
      await runBackup(deps, "media", { alert: false });
      // A week later: one of the first blobs is no longer referenced, a new one is.
      now = new Date("2026-03-08T03:00:00Z");
      const dropped = first[0] ?? "";
      await source.db.mediaItem.deleteMany({ where: { sha256: dropped } });
      await media.delete(dropped);
      const added = await storeBlob(media, Buffer.from("a new photo's bytes"));
      const user = await source.db.user.findFirstOrThrow();
      await source.db.mediaItem.create({
        data: { userId: user.id, source: "upload", kind: "image", takenAt: now, sha256: added },
      });
      await runBackup(deps, "media", { alert: false });
      const stored = async () => {
        const blobs: string[] = [];
        for await (const sha256 of deps.store.list()) blobs.push(sha256);
        return blobs.sort();
      };
      // Two media backups retained (daily: 2): the dropped blob is still listed by the first.
      expect(await stored()).toEqual([...first, added].sort());
      now = new Date("2026-03-15T03:00:00Z");
      await runBackup(deps, "media", { alert: false });
      expect(await stored()).toEqual([first[1] ?? "", added].sort());
      expect(await source.db.backupRecord.count({ where: { kind: "media" } })).toBe(2);
    } finally {
      await source.drop();
      await Promise.all([storeDir.remove(), mediaDir.remove()]);
    }
  }, 120_000);
});

describe("a retention failure", () => {
  it("is reported, but the backup it followed stands (no retry takes another)", async () => {
    const source = await scratchDatabase();
    const storeDir = await tempDir("backups");
    try {
      let now = new Date("2026-05-01T02:00:00Z");
      const deps = backupDeps({
        db: source.db,
        databaseUrl: source.url,
        store: localStore(storeDir.dir),
        media: localStore(storeDir.dir),
        now: () => now,
        retention: { daily: 1, weekly: 0, monthly: 0 },
      });
      const first = await runBackup(deps, "database", { alert: false });
      const errors: string[] = [];
      vi.spyOn(deps.logger, "error").mockImplementation((_fields: unknown, message?: string) => {
        errors.push(message ?? "");
      });
      deps.store.deleteObject = () => Promise.reject(new Error("the disk said no"));
      now = new Date("2026-05-02T02:00:00Z");
      const second = await runBackup(deps, "database", { alert: true });
      expect(second.database.status).toBe("verified");
      expect(second.retention.removedBackups).toEqual([]);
      expect(errors).toEqual(["backup retention failed"]);
      // The first backup is still there, to be removed by the next successful pass.
      expect(await source.db.backupRecord.count({ where: { id: first.database.id } })).toBe(1);
    } finally {
      await source.drop();
      await storeDir.remove();
    }
  }, 60_000);
});

describe("the restore drill", () => {
  const scratchDatabases = (url: string) =>
    withPgClient(url, async (client) => {
      const { rows } = await client.query<{ datname: string }>(
        "SELECT datname FROM pg_database WHERE datname LIKE 'lifeline_drill_%'",
      );
      return rows.map((r) => r.datname);
    });

  it("restores the newest dump, migrates, matches every count, and drops the scratch database", async () => {
    const source = await scratchDatabase();
    const storeDir = await tempDir("backups");
    const mediaDir = await tempDir("media");
    try {
      const media = localStore(mediaDir.dir);
      await populate(source.db, media, { users: 2, blobs: 3 });
      const deps = backupDeps({
        db: source.db,
        databaseUrl: source.url,
        store: localStore(storeDir.dir),
        media,
      });
      const before = await scratchDatabases(source.url);
      const { database } = await runBackup(deps, "database", { alert: false });
      const { record, outcome } = await runDrill(deps, { alert: false });
      expect(record.id).toBe(database.id);
      expect(outcome).toMatchObject({ ok: true, migrationsApplied: [], mismatches: [] });
      expect(outcome.tables).toBeGreaterThanOrEqual(10);
      expect(record.drilledAt).not.toBeNull();
      expect(await scratchDatabases(source.url)).toEqual(before);

      // A count that no longer matches what the dump holds fails the drill, which says where.
      const details = database.details as { tables: Record<string, number> };
      await source.db.backupRecord.update({
        where: { id: database.id },
        data: { details: { ...details, tables: { ...details.tables, "public.users": 3 } } },
      });
      const failure = await runDrill(deps, { alert: false }).catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(DrillFailedError);
      expect(String(failure)).toContain("public.users: 3 expected, 2 found");
      const drilled = await source.db.backupRecord.findUniqueOrThrow({
        where: { id: database.id },
      });
      expect(drilled.details).toMatchObject({ drill: { ok: false } });
      expect(await scratchDatabases(source.url)).toEqual(before);
    } finally {
      await source.drop();
      await Promise.all([storeDir.remove(), mediaDir.remove()]);
    }
  }, 120_000);

  it("with no verified backup, fails saying so", async () => {
    const source = await scratchDatabase();
    const storeDir = await tempDir("backups");
    try {
      const deps = backupDeps({
        db: source.db,
        databaseUrl: source.url,
        store: localStore(storeDir.dir),
        media: localStore(storeDir.dir),
      });
      await expect(runDrill(deps, { alert: false })).rejects.toThrow(
        "no verified database backup to drill",
      );
    } finally {
      await source.drop();
      await storeDir.remove();
    }
  }, 60_000);
});
