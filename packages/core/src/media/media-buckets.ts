import type { Db } from "@lifeline/db";

import type { TimelineCache } from "./timeline-cache";
import { filterKey, timelineWhere, type TimelineFilters } from "./timeline-filters";

export interface MediaBucket {
  /** A calendar month in UTC, "YYYY-MM". */
  month: string;
  count: number;
}

export interface MediaBuckets {
  /** Months that have items, newest first. */
  buckets: MediaBucket[];
  total: number;
}

/**
 * How many items each month of a user's timeline holds (months in UTC), for a scrubber:
 * one aggregate in Postgres, never the rows. Same filters and visibility as media.list.
 * Cached per user and filter set (see timeline-cache.ts).
 */
export async function mediaBuckets(
  deps: { db: Db; timeline: TimelineCache },
  userId: string,
  filters: TimelineFilters,
): Promise<MediaBuckets> {
  return deps.timeline.read(userId, `buckets:${filterKey(filters)}`, async () => {
    const rows = await deps.db.$queryRaw<MediaBucket[]>`
      SELECT to_char(date_trunc('month', taken_at AT TIME ZONE 'UTC'), 'YYYY-MM') AS month,
             count(*)::int AS count
      FROM media_items
      WHERE ${timelineWhere(userId, filters)}
      GROUP BY 1
      ORDER BY 1 DESC`;
    return { buckets: rows, total: rows.reduce((sum, row) => sum + row.count, 0) };
  });
}
