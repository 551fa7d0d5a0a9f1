import type { Db, MediaItem } from "@lifeline/db";

import { AppError } from "../errors/app-error";
import {
  toMediaItemView,
  VIEW_COLUMNS,
  type MediaItemView,
  type MediaItemViewRow,
} from "./media-item-view";

/**
 * The one answer for an id that does not exist and for one that belongs to someone else:
 * same code, same message, same single query behind it, so nothing tells them apart.
 */
export const mediaNotFound = () =>
  new AppError({ code: "NOT_FOUND", message: "No such media item" });

/** One of the user's own items, whatever its status; NOT_FOUND for any other id. */
export async function getMediaItem(db: Db, userId: string, id: string): Promise<MediaItemView> {
  // The primary key finds the row; user_id is checked on it, in the same query.
  const rows = await db.$queryRaw<MediaItemViewRow[]>`
    SELECT ${VIEW_COLUMNS} FROM media_items
    WHERE id = ${id}::uuid AND user_id = ${userId}::uuid`;
  const row = rows[0];
  if (!row) throw mediaNotFound();
  return toMediaItemView(row);
}

/** What streaming an item's bytes or thumbnail needs to know. */
export type MediaContentRow = Pick<
  MediaItem,
  "id" | "status" | "mime" | "sizeBytes" | "sha256" | "originalName" | "thumbnail"
>;

/** The user's own item for streaming, or null for any other id (the route answers 404). */
export async function findMediaContent(
  db: Db,
  userId: string,
  id: string,
): Promise<MediaContentRow | null> {
  const rows = await db.$queryRaw<MediaContentRow[]>`
    SELECT id, status::text AS status, mime, size_bytes AS "sizeBytes", sha256,
           original_name AS "originalName", thumbnail::text AS thumbnail
    FROM media_items
    WHERE id = ${id}::uuid AND user_id = ${userId}::uuid`;
  return rows[0] ?? null;
}
