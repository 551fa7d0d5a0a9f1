import { Prisma, type MediaKind, type MediaSource } from "@lifeline/db";

/** The filters media.list and media.buckets share; `from` inclusive, `to` exclusive. */
export interface TimelineFilters {
  source?: MediaSource | undefined;
  kind?: MediaKind | undefined;
  from?: Date | undefined;
  to?: Date | undefined;
}

/** The filters as ISO strings (as they arrive from the API) parsed into dates. */
export function parseTimelineFilters(input: {
  source?: MediaSource | undefined;
  kind?: MediaKind | undefined;
  from?: string | undefined;
  to?: string | undefined;
}): TimelineFilters {
  return {
    source: input.source,
    kind: input.kind,
    from: input.from === undefined ? undefined : new Date(input.from),
    to: input.to === undefined ? undefined : new Date(input.to),
  };
}

/**
 * A stable text form of a filter set (enum values and epoch milliseconds, so equivalent ISO
 * spellings agree): part of cache keys, and what a cursor is bound to.
 */
export function filterKey(filters: TimelineFilters): string {
  return [
    filters.source ?? "",
    filters.kind ?? "",
    filters.from?.getTime() ?? "",
    filters.to?.getTime() ?? "",
  ].join(":");
}

/**
 * The WHERE clause of every timeline query: the owner first (every index leads with
 * user_id), only items whose bytes are stored plus posts (which have none; pending and failed
 * imports stay out), then the filters. Each filter is an index condition of one of the
 * timeline indexes: (user_id, taken_at desc, id desc, …), (user_id, kind, …),
 * (user_id, source, …); see test/media-indexes.integration.test.ts in packages/api.
 */
export function timelineWhere(userId: string, filters: TimelineFilters): Prisma.Sql {
  const conditions = [
    Prisma.sql`user_id = ${userId}::uuid`,
    Prisma.sql`(status = 'stored' OR kind = 'post')`,
  ];
  if (filters.source) conditions.push(Prisma.sql`source = ${filters.source}::media_source`);
  if (filters.kind) conditions.push(Prisma.sql`kind = ${filters.kind}::media_kind`);
  if (filters.from) conditions.push(Prisma.sql`taken_at >= ${filters.from}`);
  if (filters.to) conditions.push(Prisma.sql`taken_at < ${filters.to}`);
  return Prisma.join(conditions, " AND ");
}
