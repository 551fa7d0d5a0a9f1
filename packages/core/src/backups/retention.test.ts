import { describe, expect, it } from "vitest";

import { isoWeekKey, planRetention, type RetentionCandidate } from "./retention";

const DAY = 86_400_000;
const at = (iso: string) => new Date(iso);

/** Daily verified backups at 02:00 UTC from `start` for `days` days, kept per the plan each day. */
function simulate(start: string, days: number, policy = { daily: 7, weekly: 4, monthly: 6 }) {
  let kept: RetentionCandidate[] = [];
  for (let d = 0; d < days; d += 1) {
    const startedAt = new Date(at(start).getTime() + d * DAY);
    kept.push({ id: startedAt.toISOString(), status: "verified", startedAt });
    const plan = planRetention(kept, policy);
    // Every backup is either kept or removed, never both, never neither.
    expect([...plan.keep, ...plan.remove.map((r) => r.id)].sort()).toEqual(
      kept.map((b) => b.id).sort(),
    );
    kept = kept.filter((b) => plan.keep.includes(b.id));
  }
  return kept.map((b) => b.id.slice(0, 10)).sort();
}

describe("planRetention over a simulated year", () => {
  it("keeps exactly the newest of 7 days, 4 ISO weeks and 6 months", () => {
    // 2026-01-01 (a Thursday) to 2026-12-31, one backup a day.
    const kept = simulate("2026-01-01T02:00:00Z", 365);
    expect(kept).toEqual([
      // monthly: the newest backup of each of the last 6 months (the months' last days)...
      "2026-07-31",
      "2026-08-31",
      "2026-09-30",
      "2026-10-31",
      "2026-11-30",
      // weekly: the newest of each of the last 4 ISO weeks (Sundays; the current week's newest
      // is today's)
      "2026-12-13",
      "2026-12-20",
      // daily: the last 7 days (2026-12-27 is also the Sunday closing week 52)
      "2026-12-25",
      "2026-12-26",
      "2026-12-27",
      "2026-12-28",
      "2026-12-29",
      "2026-12-30",
      "2026-12-31",
    ]);
  });

  it("with everything set to 0 still keeps the newest verified backup", () => {
    expect(simulate("2026-03-01T02:00:00Z", 40, { daily: 0, weekly: 0, monthly: 0 })).toEqual([
      "2026-04-09",
    ]);
  });

  it("never deletes the newest verified backup, even when newer ones failed", () => {
    const backups: RetentionCandidate[] = [
      { id: "good", status: "verified", startedAt: at("2026-01-01T02:00:00Z") },
      { id: "bad1", status: "failed", startedAt: at("2026-01-05T02:00:00Z") },
      { id: "bad2", status: "completed", startedAt: at("2026-01-06T02:00:00Z") },
    ];
    const plan = planRetention(backups, { daily: 0, weekly: 0, monthly: 0 });
    expect(plan.keep.sort()).toEqual(["bad1", "bad2", "good"]);
    expect(plan.remove).toEqual([]);
  });

  it("removes failed backups once a newer one is verified, saying why", () => {
    const plan = planRetention(
      [
        { id: "old-failed", status: "failed", startedAt: at("2026-01-01T02:00:00Z") },
        { id: "new", status: "verified", startedAt: at("2026-01-02T02:00:00Z") },
      ],
      { daily: 7, weekly: 4, monthly: 6 },
    );
    expect(plan.keep).toEqual(["new"]);
    expect(plan.remove).toEqual([
      { id: "old-failed", reason: "failed, and a newer backup is verified" },
    ]);
  });

  it("counts buckets that hold backups, so backups that stopped are not aged out", () => {
    const backups: RetentionCandidate[] = Array.from({ length: 10 }, (_, i) => ({
      id: `b${i}`,
      status: "verified",
      startedAt: new Date(at("2020-01-01T02:00:00Z").getTime() + i * 40 * DAY),
    }));
    // Ten backups 40 days apart: 7 daily buckets keep the newest 7 whatever their age.
    expect(planRetention(backups, { daily: 7, weekly: 0, monthly: 0 }).keep).toHaveLength(7);
  });
});

describe("isoWeekKey", () => {
  it("follows ISO 8601 across year ends", () => {
    expect(isoWeekKey(at("2026-12-28T00:00:00Z"))).toBe("2026-W53");
    expect(isoWeekKey(at("2027-01-03T23:59:59Z"))).toBe("2026-W53");
    expect(isoWeekKey(at("2027-01-04T00:00:00Z"))).toBe("2027-W01");
    expect(isoWeekKey(at("2025-12-29T00:00:00Z"))).toBe("2026-W01");
    expect(isoWeekKey(at("2026-12-27T12:00:00Z"))).toBe("2026-W52");
  });
});
