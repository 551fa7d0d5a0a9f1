import { Prisma, type MediaItem } from "@lifeline/db";

/**
 * What the API returns about a media item (media.list, media.get, the upload's answer):
 * never the owner, the upload dedup key or provider ids. JSON-safe: dates as ISO strings,
 * the BigInt size as a number (blobs are at most a few GiB, far below 2^53).
 */
export interface MediaItemView {
  id: string;
  source: MediaItem["source"];
  kind: MediaItem["kind"];
  status: MediaItem["status"];
  takenAt: string;
  caption: string | null;
  mime: string | null;
  sizeBytes: number | null;
  sha256: string | null;
  originalName: string | null;
  width: number | null;
  height: number | null;
  durationMs: number | null;
  thumbnail: MediaItem["thumbnail"];
  createdAt: string;
  /** Relative URL of the bytes (GET with the bearer token); null when there are none yet. */
  contentUrl: string | null;
  /** Relative URL of the WebP thumbnail; null until it is ready. */
  thumbnailUrl: string | null;
}

/** The columns a view needs: for Prisma's `select`, and the aliases of the raw timeline SQL. */
export const mediaItemViewSelect = {
  id: true,
  source: true,
  kind: true,
  status: true,
  takenAt: true,
  caption: true,
  mime: true,
  sizeBytes: true,
  sha256: true,
  originalName: true,
  width: true,
  height: true,
  durationMs: true,
  thumbnail: true,
  createdAt: true,
} as const;

export type MediaItemViewRow = Pick<MediaItem, keyof typeof mediaItemViewSelect>;

/**
 * The same columns for raw SQL, aliased to the Prisma field names (enums as text). The read
 * side queries in raw SQL throughout: keyset pagination needs a row comparison Prisma cannot
 * express, and the index test (packages/api/test/media-indexes.integration.test.ts) EXPLAINs
 * the exact text each function sends.
 */
export const VIEW_COLUMNS = Prisma.sql`id, source::text AS source, kind::text AS kind,
  status::text AS status, taken_at AS "takenAt", caption, mime, size_bytes AS "sizeBytes",
  sha256, original_name AS "originalName", width, height, duration_ms AS "durationMs",
  thumbnail::text AS thumbnail, created_at AS "createdAt"`;

/** Where the API serves an item's bytes and thumbnail (apps/server routes/media-content.ts). */
export const mediaContentPath = (id: string) => `/api/media/${id}/content`;
export const mediaThumbnailPath = (id: string) => `/api/media/${id}/thumbnail`;

/** True when the item's bytes are in storage: stored, with a hash (posts have none). */
export function hasContent(row: Pick<MediaItem, "status" | "sha256">): boolean {
  return row.status === "stored" && row.sha256 !== null;
}

export function toMediaItemView(row: MediaItemViewRow): MediaItemView {
  const content = hasContent(row);
  return {
    id: row.id,
    source: row.source,
    kind: row.kind,
    status: row.status,
    takenAt: row.takenAt.toISOString(),
    caption: row.caption,
    mime: row.mime,
    sizeBytes: row.sizeBytes === null ? null : Number(row.sizeBytes),
    sha256: row.sha256,
    originalName: row.originalName,
    width: row.width,
    height: row.height,
    durationMs: row.durationMs,
    thumbnail: row.thumbnail,
    createdAt: row.createdAt.toISOString(),
    contentUrl: content ? mediaContentPath(row.id) : null,
    thumbnailUrl: content && row.thumbnail === "ready" ? mediaThumbnailPath(row.id) : null,
  };
}
