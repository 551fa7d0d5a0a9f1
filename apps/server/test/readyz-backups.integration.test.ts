import { randomUUID } from "node:crypto";

import { createDb, type BackupKind, type BackupStatus } from "@lifeline/db";
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from "vitest";

import { READINESS_CACHE_MS } from "../src/routes/health";
import { startTestServer, type TestServer } from "../src/testing";

/**
 * /readyz's backups section: the age of the newest verified backup of each kind, "degraded"
 * past BACKUP_MAX_AGE_HOURS / BACKUP_MEDIA_MAX_AGE_HOURS or when backups ran and none was
 * ever verified; a deployment with no backup yet is not degraded by it.
 */

interface KindFreshness {
  lastVerifiedAt: string | null;
  ageHours: number | null;
  maxAgeHours: number;
  state: string;
}
interface Readyz {
  status: string;
  checks: Record<string, string>;
  backups: { database: KindFreshness; media: KindFreshness };
  warnings: string[];
}

const db = createDb(inject("databaseUrl"));
let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({
    databaseUrl: inject("databaseUrl"),
    env: { BACKUP_MAX_AGE_HOURS: "10", BACKUP_MEDIA_MAX_AGE_HOURS: "100" },
  });
});
afterEach(async () => {
  await db.backupRecord.deleteMany();
});
afterAll(async () => {
  await server.close();
  await db.$disconnect();
});

async function readyz(): Promise<Readyz> {
  await new Promise((resolve) => setTimeout(resolve, READINESS_CACHE_MS + 50));
  const res = await server.app.inject({ method: "GET", url: "/readyz" });
  expect(res.statusCode).toBe(200);
  return res.json<Readyz>();
}

const hoursAgo = (hours: number) => new Date(Date.now() - hours * 3_600_000);

async function backup(kind: BackupKind, status: BackupStatus, startedAt: Date) {
  await db.backupRecord.create({
    data: {
      id: randomUUID(),
      kind,
      status,
      location: `${kind}/x`,
      startedAt,
      ...(status === "verified" ? { verifiedAt: startedAt } : {}),
    },
  });
}

describe("/readyz: backups", () => {
  it("no backup yet: says so, and does not degrade", async () => {
    const body = await readyz();
    expect(body.checks.backups).toBe("ok");
    expect(body.backups.database).toEqual({
      lastVerifiedAt: null,
      ageHours: null,
      maxAgeHours: 10,
      state: "none yet",
    });
    expect(body.backups.media.state).toBe("none yet");
    expect(body.warnings.filter((w) => w.includes("backup"))).toEqual([]);
  });

  it("fresh verified backups: ok, with their age", async () => {
    await backup("database", "verified", hoursAgo(2));
    await backup("database", "verified", hoursAgo(30));
    await backup("media", "verified", hoursAgo(50));
    const body = await readyz();
    expect(body.checks.backups).toBe("ok");
    expect(body.backups.database.state).toBe("fresh");
    expect(body.backups.database.ageHours).toBeCloseTo(2, 0);
    expect(body.backups.media.ageHours).toBeCloseTo(50, 0);
  });

  it("the newest verified backup past its limit: degraded, with a warning naming the age", async () => {
    await backup("database", "verified", hoursAgo(12));
    // A newer backup that failed does not count.
    await backup("database", "failed", hoursAgo(1));
    await backup("media", "verified", hoursAgo(3));
    const body = await readyz();
    expect(body.status).toBe("degraded");
    expect(body.checks.backups).toBe("stale");
    expect(body.backups.database.state).toBe("stale");
    expect(body.warnings).toContain("the newest verified database backup is 12 h old (limit 10 h)");
  });

  it("backups that ran but were never verified: degraded", async () => {
    await backup("database", "failed", hoursAgo(1));
    const body = await readyz();
    expect(body.status).toBe("degraded");
    expect(body.checks.backups).toBe("never verified");
    expect(body.backups.database.state).toBe("never verified");
    expect(body.warnings).toContain("no database backup has been verified yet");
  });
});
