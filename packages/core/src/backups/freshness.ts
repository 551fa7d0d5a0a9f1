import type { BackupKind, Db } from "@lifeline/db";

export interface BackupFreshness {
  /** ok; "stale" (older than the limit); "never verified" (backups ran, none verified). */
  status: "ok" | "stale" | "never verified";
  /** Per kind: the newest verified backup's time and age, or "none yet". */
  details: Record<BackupKind, KindFreshness>;
  warnings: string[];
}

export interface KindFreshness {
  lastVerifiedAt: string | null;
  ageHours: number | null;
  maxAgeHours: number;
  state: "fresh" | "stale" | "never verified" | "none yet";
}

/**
 * How old the newest verified backup of each kind is (from when it was taken), for /readyz.
 * "stale" past its limit; "never verified" when backups of that kind exist but none passed
 * verification (every one failing is as bad as none). A deployment that has not taken its
 * first backup yet ("none yet") is not degraded: the daily schedule has not come round.
 * One indexed query per kind (kind, status, started_at desc).
 */
export async function backupFreshness(
  db: Db,
  now: Date,
  limits: Record<BackupKind, number>,
): Promise<BackupFreshness> {
  const details = {} as Record<BackupKind, KindFreshness>;
  const warnings: string[] = [];
  for (const kind of ["database", "media"] as const) {
    const maxAgeHours = limits[kind];
    const newest = await db.backupRecord.findFirst({
      where: { kind, status: "verified" },
      orderBy: { startedAt: "desc" },
      select: { startedAt: true },
    });
    if (!newest) {
      const any = await db.backupRecord.findFirst({ where: { kind }, select: { id: true } });
      details[kind] = {
        lastVerifiedAt: null,
        ageHours: null,
        maxAgeHours,
        state: any ? "never verified" : "none yet",
      };
      if (any) warnings.push(`no ${kind} backup has been verified yet`);
      continue;
    }
    const ageHours =
      Math.round(((now.getTime() - newest.startedAt.getTime()) / 3_600_000) * 10) / 10;
    const stale = ageHours > maxAgeHours;
    details[kind] = {
      lastVerifiedAt: newest.startedAt.toISOString(),
      ageHours,
      maxAgeHours,
      state: stale ? "stale" : "fresh",
    };
    if (stale) {
      warnings.push(
        `the newest verified ${kind} backup is ${ageHours} h old (limit ${maxAgeHours} h)`,
      );
    }
  }
  const states = Object.values(details).map((d) => d.state);
  const status = states.includes("never verified")
    ? "never verified"
    : states.includes("stale")
      ? "stale"
      : "ok";
  return { status, details, warnings };
}
