import { backupFreshness } from "@lifeline/core/backups";
import type { Db } from "@lifeline/db";

import type { ReadinessCheck } from "../routes/health";

/**
 * How old the newest verified backup of each kind is. Past its limit (BACKUP_MAX_AGE_HOURS,
 * BACKUP_MEDIA_MAX_AGE_HOURS), or when backups ran but none was ever verified, /readyz is
 * "degraded": the API serves, but an operator must look. A deployment with no backup yet
 * says "none yet" and is not degraded. Never rejects: a database that does not answer is the
 * postgres check's to report; here it is "unavailable".
 */
export function backupsCheck(
  db: Db,
  limits: { database: number; media: number },
  now: () => Date = () => new Date(),
): ReadinessCheck {
  return async () => {
    try {
      const freshness = await backupFreshness(db, now(), limits);
      return { status: freshness.status, details: freshness.details, warnings: freshness.warnings };
    } catch {
      return { status: "unavailable" };
    }
  };
}
