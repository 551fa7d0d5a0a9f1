/**
 * backups: throughput of backing up and restoring a 1 GiB media store and a database of
 * 100,000 media items, each against a plain tool doing the same work in the same run.
 *
 *  (a) Database backup: takeDatabaseBackup (pg_dump --format=custom streamed into the local
 *      backup store: temp file, fsync, rename, sha256, plus every table's row count in the
 *      dump's snapshot), against raw `pg_dump --format=custom -f /dev/null`. Then
 *      verification (re-hash, pg_restore --list) shown on its own. Target: MB/s ratio ≥ 0.7.
 *  (b) Database restore: restoreDatabaseDump (verify first, then pg_restore in one
 *      transaction into a new database) against raw `pg_restore -d` of the same file into
 *      another new database. Target ≥ 0.5 (ours reads the dump twice).
 *  (c) Media backup: takeMediaBackup of 1,024 blobs of 1 MiB into an empty store (each
 *      written to a temp, fsynced, hashed, renamed; the gzip manifest), against `cp -r` of the
 *      blob directory followed by `sync`. Verification (every blob re-hashed) on its own, and
 *      an incremental backup with nothing new. Target ≥ 0.5.
 *  (d) Media restore: restoreMediaBlobs into an empty media store against `cp -r` + `sync`
 *      of the backup store's blobs. Target ≥ 0.5.
 * The files are in the page cache for both sides (1 GiB fits); the disks are the same.
 */
import { execFile } from "node:child_process";
import { randomBytes, createHash } from "node:crypto";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { promisify } from "node:util";

import {
  restoreDatabaseDump,
  restoreMediaBlobs,
  sameServerUrl,
  takeDatabaseBackup,
  takeMediaBackup,
  verifyDatabaseBackup,
  verifyMediaBackup,
  type BackupDeps,
} from "@lifeline/core/backups";
import { createDb } from "@lifeline/db";
import { dropDatabase } from "@lifeline/db/testing";
import { silentLogger } from "@lifeline/logger";
import { blobKey, createLocalBlobStorage } from "@lifeline/storage";
import pg from "pg";

import type { AreaContext, AreaOutcome, Scenario } from "../harness/area";
import { intSetting } from "../harness/env-settings";
import { metric, type Table } from "../harness/metrics";

const MiB = 1024 * 1024;
const MB = 1e6;
const run = promisify(execFile);

/** BENCH_BACKUPS_* settings; see bench/README.md. */
function readSettings() {
  return {
    items: intSetting("BENCH_BACKUPS_ITEMS", 100_000),
    blobs: intSetting("BENCH_BACKUPS_BLOBS", 1024),
    blobMiB: intSetting("BENCH_BACKUPS_BLOB_MIB", 1),
    dumpRounds: intSetting("BENCH_BACKUPS_DUMP_ROUNDS", 3),
  };
}

async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const start = performance.now();
  const value = await fn();
  return { ms: performance.now() - start, value };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? (sorted[middle] ?? 0)
    : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

const rate = (bytes: number, ms: number) => bytes / MB / (ms / 1000);
const fmt = (n: number, digits = 1) => n.toFixed(digits);

/** `count` blobs of random bytes written straight into a store's layout; their sha256s. */
async function seedMediaStore(root: string, count: number, bytes: number): Promise<string[]> {
  const shas: string[] = [];
  for (let i = 0; i < count; i += 1) {
    const data = randomBytes(bytes);
    const sha256 = createHash("sha256").update(data).digest("hex");
    const file = path.join(root, ...blobKey(sha256).split("/"));
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, data);
    shas.push(sha256);
  }
  await run("sync", ["-f", root]);
  return shas;
}

/** One user with `count` stored items spread over the blobs (as a real timeline shares none). */
async function seedItems(databaseUrl: string, count: number, shas: string[], blobBytes: number) {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ id: string }>(
      `INSERT INTO users (id, email, password_hash, updated_at)
       VALUES (gen_random_uuid(), 'bench-backups@example.com', repeat('x', 60), now()) RETURNING id`,
    );
    await client.query(
      `INSERT INTO media_items (id, user_id, source, kind, status, taken_at, mime, size_bytes,
         sha256, width, height, caption, created_at, updated_at)
       SELECT gen_random_uuid(), $1::uuid, 'upload', 'image', 'stored',
         timestamptz '2019-01-01T00:00:00Z' + g * interval '37 minutes', 'image/jpeg', $4::bigint,
         ($3::text[])[1 + g % array_length($3::text[], 1)], 4032, 3024,
         'caption number ' || g, now(), now()
       FROM generate_series(1, $2::int) AS g`,
      [rows[0]?.id, count, shas, blobBytes],
    );
    await client.query("ANALYZE");
  } finally {
    await client.end();
  }
}

/** A `cp -r` of `source` into `target`, then `sync` of its filesystem (ours fsyncs every file). */
async function timeCopy(source: string, target: string) {
  const copy = await timed(() => run("cp", ["-r", source, target]));
  const sync = await timed(() => run("sync", ["-f", target]));
  await rm(target, { recursive: true, force: true });
  return { cpMs: copy.ms, totalMs: copy.ms + sync.ms };
}

export const backups: Scenario = {
  area: "backups",
  title: "backup and restore throughput: 1 GiB media store, 100,000-item database",
  async run(ctx: AreaContext): Promise<AreaOutcome> {
    const s = readSettings();
    const work = await mkdtemp(path.join(tmpdir(), "lifeline-bench-backups-"));
    ctx.onCleanup("remove backup bench files", () => rm(work, { recursive: true, force: true }));
    const mediaDir = path.join(work, "media");
    const storeDir = path.join(work, "store");
    const blobBytes = s.blobMiB * MiB;
    const mediaBytes = s.blobs * blobBytes;

    const databaseUrl = await ctx.databaseUrl();
    ctx.log(`seeding ${s.blobs} blobs of ${s.blobMiB} MiB and ${s.items} items`);
    const shas = await seedMediaStore(mediaDir, s.blobs, blobBytes);
    await seedItems(databaseUrl, s.items, shas, blobBytes);

    const db = createDb(databaseUrl);
    ctx.onCleanup("disconnect Prisma", () => db.$disconnect());
    const deps: BackupDeps = {
      db,
      databaseUrl,
      store: createLocalBlobStorage(storeDir, silentLogger()),
      media: createLocalBlobStorage(mediaDir, silentLogger()),
      tools: { pgDump: "pg_dump", pgRestore: "pg_restore" },
      retention: { daily: 7, weekly: 4, monthly: 6 },
      logger: silentLogger(),
      now: () => new Date(),
    };

    // (a) database backup: rounds interleaved with the baseline, medians compared (the first
    // Prisma query, a cold connection, is made before either is timed).
    await db.$queryRaw`SELECT 1`;
    const rawDumpMs: number[] = [];
    const dumpMs: number[] = [];
    let dump: { ms: number; value: Awaited<ReturnType<typeof takeDatabaseBackup>> } | undefined;
    for (let round = 0; round < s.dumpRounds; round += 1) {
      ctx.log(`raw pg_dump to /dev/null (baseline), round ${round + 1}`);
      rawDumpMs.push(
        (
          await timed(() =>
            run("pg_dump", [
              "--format=custom",
              "--no-password",
              // /dev/null cannot be fsynced.
              "--no-sync",
              "-f",
              "/dev/null",
              `--dbname=${databaseUrl}`,
            ]),
          )
        ).ms,
      );
      ctx.log(`database backup, round ${round + 1}`);
      dump = await timed(() => takeDatabaseBackup(deps));
      dumpMs.push(dump.ms);
    }
    if (!dump) throw new Error("no database backup round ran");
    const rawDump = { ms: median(rawDumpMs) };
    const dumpMedianMs = median(dumpMs);
    const dumpBytes = Number(dump.value.sizeBytes ?? 0);
    const verifyDump = await timed(() => verifyDatabaseBackup(deps, dump.value));

    // (b) database restore
    const dumpFile = path.join(storeDir, ...dump.value.location.split("/"));
    const baseName = new URL(databaseUrl).pathname.slice(1);
    const rawTarget = sameServerUrl(databaseUrl, `${baseName}_raw`);
    const ourTarget = sameServerUrl(databaseUrl, `${baseName}_restore`);
    ctx.onCleanup("drop restore targets", async () => {
      await dropDatabase(rawTarget);
      await dropDatabase(ourTarget);
    });
    ctx.log("raw pg_restore (baseline)");
    await run("createdb", ["-h", "127.0.0.1", "-U", "postgres", `${baseName}_raw`]);
    const rawRestore = await timed(() =>
      run("pg_restore", ["--no-owner", "--single-transaction", `--dbname=${rawTarget}`, dumpFile]),
    );
    ctx.log("database restore");
    const restore = await timed(() =>
      restoreDatabaseDump(deps, verifyDump.value, ourTarget, { force: false }),
    );
    const restoredItems = restore.value.tables["public.media_items"];

    // (c) media backup
    ctx.log("cp -r of the media blobs (baseline)");
    const cpMedia = await timeCopy(path.join(mediaDir, "blobs"), path.join(work, "cp-media"));
    ctx.log("media backup (full)");
    const mediaBackup = await timed(() => takeMediaBackup(deps, dump.value.id));
    const verifyMedia = await timed(() => verifyMediaBackup(deps, mediaBackup.value));
    ctx.log("media backup (incremental, nothing new)");
    const incremental = await timed(() => takeMediaBackup(deps, dump.value.id));

    // (d) media restore (blobs the restored database references, into an empty store)
    ctx.log("cp -r of the backed-up blobs (baseline)");
    const cpStore = await timeCopy(path.join(storeDir, "blobs"), path.join(work, "cp-store"));
    ctx.log("media restore");
    const restoredMedia = createLocalBlobStorage(path.join(work, "restored-media"), silentLogger());
    const mediaRestore = await timed(() => restoreMediaBlobs(deps, ourTarget, restoredMedia));

    const dumpRate = rate(dumpBytes, dumpMedianMs);
    const rawDumpRate = rate(dumpBytes, rawDump.ms);
    const restoreRate = rate(dumpBytes, restore.ms);
    const rawRestoreRate = rate(dumpBytes, rawRestore.ms);
    const mediaRate = rate(mediaBytes, mediaBackup.ms);
    const cpMediaRate = rate(mediaBytes, cpMedia.totalMs);
    const mediaRestoreRate = rate(mediaRestore.value.restoredBytes, mediaRestore.ms);
    const cpStoreRate = rate(mediaBytes, cpStore.totalMs);

    const failures: string[] = [];
    if (restoredItems !== s.items)
      failures.push(`restored ${restoredItems} items, expected ${s.items}`);
    if (mediaRestore.value.restored !== s.blobs) {
      failures.push(`restored ${mediaRestore.value.restored} blobs, expected ${s.blobs}`);
    }

    const details: Table[] = [
      {
        title: "Backups: times",
        header: ["step", "seconds", "MB/s", "bytes"],
        rows: [
          [
            `raw pg_dump -f /dev/null (median of ${s.dumpRounds})`,
            fmt(rawDump.ms / 1000, 2),
            fmt(rawDumpRate),
            String(dumpBytes),
          ],
          [
            `database backup: dump + counts + sidecar (median of ${s.dumpRounds})`,
            fmt(dumpMedianMs / 1000, 2),
            fmt(dumpRate),
            String(dumpBytes),
          ],
          [
            "database verification (re-hash + pg_restore --list)",
            fmt(verifyDump.ms / 1000, 2),
            fmt(rate(dumpBytes, verifyDump.ms)),
            String(dumpBytes),
          ],
          [
            "raw pg_restore into a new database",
            fmt(rawRestore.ms / 1000, 2),
            fmt(rawRestoreRate),
            String(dumpBytes),
          ],
          [
            "database restore (verify + pg_restore -1)",
            fmt(restore.ms / 1000, 2),
            fmt(restoreRate),
            String(dumpBytes),
          ],
          [
            "cp -r media blobs (+ sync)",
            `${fmt(cpMedia.cpMs / 1000, 2)} (${fmt(cpMedia.totalMs / 1000, 2)})`,
            fmt(cpMediaRate),
            String(mediaBytes),
          ],
          [
            "media backup, full (copy, hash, fsync, manifest)",
            fmt(mediaBackup.ms / 1000, 2),
            fmt(mediaRate),
            String(mediaBytes),
          ],
          [
            "media verification (every blob re-hashed)",
            fmt(verifyMedia.ms / 1000, 2),
            fmt(rate(mediaBytes, verifyMedia.ms)),
            String(mediaBytes),
          ],
          ["media backup, incremental (nothing new)", fmt(incremental.ms / 1000, 2), "", "0"],
          [
            "cp -r backed-up blobs (+ sync)",
            `${fmt(cpStore.cpMs / 1000, 2)} (${fmt(cpStore.totalMs / 1000, 2)})`,
            fmt(cpStoreRate),
            String(mediaBytes),
          ],
          [
            "media restore (copy, hash, fsync)",
            fmt(mediaRestore.ms / 1000, 2),
            fmt(mediaRestoreRate),
            String(mediaRestore.value.restoredBytes),
          ],
        ],
      },
    ];

    return {
      metrics: [
        metric({
          name: `database backup (${s.items} items): MB/s vs raw pg_dump`,
          value: dumpRate,
          unit: "MB/s",
          baseline: { name: "pg_dump -f /dev/null", value: rawDumpRate },
          target: { on: "ratio", op: "≥", threshold: 0.7 },
        }),
        metric({
          name: "database restore: MB/s of dump vs raw pg_restore",
          value: restoreRate,
          unit: "MB/s",
          baseline: { name: "pg_restore -d", value: rawRestoreRate },
          target: { on: "ratio", op: "≥", threshold: 0.5 },
        }),
        metric({
          name: `media backup (${fmt(mediaBytes / MiB / 1024, 2)} GiB, ${s.blobs} blobs): MB/s vs cp -r + sync`,
          value: mediaRate,
          unit: "MB/s",
          baseline: { name: "cp -r + sync", value: cpMediaRate },
          target: { on: "ratio", op: "≥", threshold: 0.5 },
        }),
        metric({
          name: "media restore: MB/s vs cp -r + sync",
          value: mediaRestoreRate,
          unit: "MB/s",
          baseline: { name: "cp -r + sync", value: cpStoreRate },
          target: { on: "ratio", op: "≥", threshold: 0.5 },
        }),
      ],
      details,
      notes: [
        "Both sides read from the page cache; ours fsyncs every file it writes, so the baselines include a sync.",
        `The database restore verifies the dump (one full read) before pg_restore reads it again.`,
      ],
      failures,
      data: {
        settings: s,
        dumpBytes,
        mediaBytes,
        ms: {
          rawDump: rawDump.ms,
          rawDumpRounds: rawDumpMs,
          dumpRounds: dumpMs,
          dump: dumpMedianMs,
          verifyDump: verifyDump.ms,
          rawRestore: rawRestore.ms,
          restore: restore.ms,
          cpMedia: cpMedia.totalMs,
          mediaBackup: mediaBackup.ms,
          verifyMedia: verifyMedia.ms,
          incremental: incremental.ms,
          cpStore: cpStore.totalMs,
          mediaRestore: mediaRestore.ms,
        },
      },
    };
  },
};
