import { existsSync } from "node:fs";
import { writeFile } from "node:fs/promises";

import { composeEmail } from "@lifeline/core";
import {
  BackupVerificationError,
  checkDatabaseDump,
  checkMediaBackup,
  PgToolError,
  runBackup,
} from "@lifeline/core/backups";
import { silentLogger } from "@lifeline/logger";
import { createJobProducer, createRedis, type EmailJob } from "@lifeline/queue";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";

import {
  backupDeps,
  blobFile,
  corrupt,
  fakeTool,
  localStore,
  populate,
  scratchDatabase,
  sha256Of,
  storeFile,
  tempDir,
} from "./support/backups";
import { testEnvVars } from "./support/env";

/**
 * A backup counts only if it verifies: a flipped byte in a dump or in a blob, a dump
 * pg_restore cannot read, and a pg_dump older than the server are all caught, recorded on
 * the backup's record, and (with ALERT_EMAIL) become a backup-failed email.
 */
let source: Awaited<ReturnType<typeof scratchDatabase>>;
let mediaDir: Awaited<ReturnType<typeof tempDir>>;
let toolsDir: Awaited<ReturnType<typeof tempDir>>;
beforeAll(async () => {
  source = await scratchDatabase();
  mediaDir = await tempDir("media");
  toolsDir = await tempDir("tools");
  await populate(source.db, localStore(mediaDir.dir), { users: 2, blobs: 4 });
}, 60_000);
afterAll(async () => {
  await source.drop();
  await Promise.all([mediaDir.remove(), toolsDir.remove()]);
});

async function freshStore() {
  const dir = await tempDir("backups");
  const deps = backupDeps({
    db: source.db,
    databaseUrl: source.url,
    store: localStore(dir.dir),
    media: localStore(mediaDir.dir),
  });
  return { dir, deps };
}

describe("verification", () => {
  it("catches a dump with a flipped byte", async () => {
    const { dir, deps } = await freshStore();
    try {
      const { database } = await runBackup(deps, "database", { alert: false });
      await checkDatabaseDump(deps, database); // intact: passes
      await corrupt(storeFile(dir.dir, database.location));
      await expect(checkDatabaseDump(deps, database)).rejects.toThrow(
        /does not match its record: .* sha256 [0-9a-f]{64}, recorded/,
      );
    } finally {
      await dir.remove();
    }
  }, 60_000);

  it("catches a dump pg_restore cannot read, even when its checksums agree", async () => {
    const { dir, deps } = await freshStore();
    try {
      const { database } = await runBackup(deps, "database", { alert: false });
      const garbage = Buffer.from("PGDMP but not really a dump at all");
      await writeFile(storeFile(dir.dir, database.location), garbage);
      const sha256 = sha256Of(garbage);
      await writeFile(storeFile(dir.dir, `${database.location}.sha256`), `${sha256}  x.dump\n`);
      const forged = { ...database, sha256, sizeBytes: BigInt(garbage.length) };
      const failure = await checkDatabaseDump(deps, forged).catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(BackupVerificationError);
      expect(String(failure)).toContain("pg_restore --list cannot read");
    } finally {
      await dir.remove();
    }
  }, 60_000);

  it("catches a blob with a flipped byte, and a missing one, naming them", async () => {
    const { dir, deps } = await freshStore();
    try {
      const { media } = await runBackup(deps, "media", { alert: false });
      if (!media) throw new Error("no media backup");
      expect(await checkMediaBackup(deps, media)).toBe(4);
      const blobs: string[] = [];
      for await (const sha256 of deps.store.list()) blobs.push(sha256);
      const [flipped = "", gone = ""] = blobs.sort();
      await corrupt(blobFile(dir.dir, flipped));
      const failure = String(await checkMediaBackup(deps, media).catch((error: unknown) => error));
      expect(failure).toContain(`1 of 4 blobs in media backup ${media.id} do not match`);
      expect(failure).toContain(`${flipped}: bytes hash to`);
      await deps.store.delete(gone);
      const both = String(await checkMediaBackup(deps, media).catch((error: unknown) => error));
      expect(both).toContain("2 of 4 blobs");
      expect(both).toContain(`${gone}: missing`);
    } finally {
      await dir.remove();
    }
  }, 60_000);

  it("a failed verification marks the backup failed and emails ALERT_EMAIL", async () => {
    const env = testEnvVars();
    const redis = createRedis(inject("redisUrl"), silentLogger());
    const jobs = createJobProducer({
      connection: redis,
      redisKeyPrefix: env.REDIS_KEY_PREFIX ?? "",
    });
    const { dir } = await freshStore();
    try {
      const brokenRestore = await fakeTool(
        toolsDir.dir,
        "pg_restore",
        'cat >/dev/null; echo "pg_restore: error: input file is not a valid archive" >&2; exit 1',
      );
      const deps = backupDeps({
        db: source.db,
        databaseUrl: source.url,
        store: localStore(dir.dir),
        media: localStore(mediaDir.dir),
        tools: { pgRestore: brokenRestore },
        jobs,
      });
      await expect(runBackup(deps, "database", { alert: true })).rejects.toThrow(
        /input file is not a valid archive/,
      );
      const failed = await source.db.backupRecord.findFirst({
        where: { status: "failed" },
        orderBy: { startedAt: "desc" },
      });
      expect(failed?.error).toContain("input file is not a valid archive");

      const queued = await jobs.queue("email").getJobs(["waiting", "delayed"]);
      expect(queued.map((job) => job.data as EmailJob)).toEqual([
        { template: "backup-failed", backupId: failed?.id, stage: "verify" },
      ]);
      const composed = await composeEmail(
        {
          db: source.db,
          tokenSecret: Buffer.alloc(32),
          now: () => new Date(),
          config: {
            frontendUrl: "http://localhost",
            verificationTtlSeconds: 60,
            passwordResetTtlSeconds: 60,
            alertEmail: "ops@example.com",
          },
        },
        queued[0]?.data as EmailJob,
        queued[0]?.id ?? "",
      );
      expect(composed.kind).toBe("send");
      if (composed.kind !== "send") return;
      expect(composed.email.to).toBe("ops@example.com");
      expect(composed.email.subject).toBe("Lifeline: the database backup failed verification");
      expect(composed.email.text).toContain("input file is not a valid archive");
    } finally {
      await dir.remove();
      await jobs.close();
      redis.disconnect();
    }
  }, 60_000);
});

describe("the PostgreSQL client tools", () => {
  it("refuses a pg_dump older than the server, naming both versions", async () => {
    const { dir, deps } = await freshStore();
    try {
      const oldDump = await fakeTool(
        toolsDir.dir,
        "pg_dump",
        'echo "pg_dump (PostgreSQL) 12.3"; exit 0',
      );
      const failure = await runBackup(
        { ...deps, tools: { ...deps.tools, pgDump: oldDump } },
        "database",
        { alert: false },
      ).catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(PgToolError);
      const message = (failure as Error).message;
      expect(message).toMatch(/pg_dump is too old for the database server/);
      expect(message).toContain("is PostgreSQL 12 (pg_dump (PostgreSQL) 12.3)");
      expect(message).toMatch(/the server is PostgreSQL 1[5-9]/);
      expect(message).toContain("PG_DUMP_PATH");
      const record = await source.db.backupRecord.findFirst({
        where: { status: "failed" },
        orderBy: { startedAt: "desc" },
      });
      expect(record?.error).toBe(message);
      expect(existsSync(storeFile(dir.dir, record?.location ?? "x"))).toBe(false);
    } finally {
      await dir.remove();
    }
  }, 60_000);

  it("reports a pg_dump that is not there", async () => {
    const { dir, deps } = await freshStore();
    try {
      await expect(
        runBackup(
          { ...deps, tools: { ...deps.tools, pgDump: `${toolsDir.dir}/no-such-pg_dump` } },
          "database",
          { alert: false },
        ),
      ).rejects.toThrow(/no-such-pg_dump was not found/);
    } finally {
      await dir.remove();
    }
  }, 60_000);
});
