/**
 * Which backups to keep: grandfather-father-son over the verified backups of one kind. The
 * newest verified backup of each of the newest `daily` days, `weekly` ISO weeks and `monthly`
 * months that have one (UTC) is kept; so is the newest verified backup whatever the policy
 * says. Buckets are those that hold a backup, not calendar ones, so backups that stopped
 * long ago are never aged out to nothing.
 *
 * Unverified backups (failed, or completed but not verified) older than the newest verified
 * one are of no use and go; newer ones stay (one may be verifying now; a failure is kept for
 * inspection until a good backup follows). Running backups are never candidates.
 */
export interface RetentionPolicy {
  daily: number;
  weekly: number;
  monthly: number;
}

export interface RetentionCandidate {
  id: string;
  status: "completed" | "verified" | "failed";
  startedAt: Date;
}

export interface RetentionPlan {
  keep: string[];
  remove: { id: string; reason: string }[];
}

const dayKey = (at: Date) => at.toISOString().slice(0, 10);
const monthKey = (at: Date) => at.toISOString().slice(0, 7);

/** "2026-W49": the ISO 8601 week (weeks start on Monday; week 1 holds the first Thursday). */
export function isoWeekKey(at: Date): string {
  const date = new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate()));
  const weekday = date.getUTCDay() || 7;
  date.setUTCDate(date.getUTCDate() + 4 - weekday); // the Thursday of this week
  const yearStart = Date.UTC(date.getUTCFullYear(), 0, 1);
  const week = Math.ceil(((date.getTime() - yearStart) / 86_400_000 + 1) / 7);
  return `${date.getUTCFullYear()}-W${String(week).padStart(2, "0")}`;
}

/** The newest backup of each of the newest `count` buckets. `newestFirst` is sorted. */
function newestPerBucket(
  newestFirst: RetentionCandidate[],
  bucketOf: (at: Date) => string,
  count: number,
): string[] {
  const seen = new Set<string>();
  const kept: string[] = [];
  for (const backup of newestFirst) {
    if (seen.size >= count) break;
    const bucket = bucketOf(backup.startedAt);
    if (seen.has(bucket)) continue;
    seen.add(bucket);
    kept.push(backup.id);
  }
  return kept;
}

export function planRetention(
  backups: readonly RetentionCandidate[],
  policy: RetentionPolicy,
): RetentionPlan {
  const newestFirst = [...backups].sort(
    (a, b) => b.startedAt.getTime() - a.startedAt.getTime() || (a.id < b.id ? 1 : -1),
  );
  const verified = newestFirst.filter((b) => b.status === "verified");
  const newestVerified = verified[0];
  const keep = new Set<string>([
    ...newestPerBucket(verified, dayKey, policy.daily),
    ...newestPerBucket(verified, isoWeekKey, policy.weekly),
    ...newestPerBucket(verified, monthKey, policy.monthly),
  ]);
  if (newestVerified) keep.add(newestVerified.id);

  const remove: RetentionPlan["remove"] = [];
  for (const backup of newestFirst) {
    if (keep.has(backup.id)) continue;
    if (backup.status !== "verified") {
      if (!newestVerified || backup.startedAt > newestVerified.startedAt) {
        keep.add(backup.id);
        continue;
      }
      remove.push({ id: backup.id, reason: `${backup.status}, and a newer backup is verified` });
      continue;
    }
    remove.push({ id: backup.id, reason: "outside the daily, weekly and monthly sets" });
  }
  return { keep: newestFirst.filter((b) => keep.has(b.id)).map((b) => b.id), remove };
}
