import type { z } from "zod";

import type { ProviderHttp } from "./http/client";
import type { MediaItem, MediaKind } from "./provider";

type Required = Pick<MediaItem, "id" | "kind">;

/** A MediaItem with every optional field defaulted to null/empty. */
export function mediaItem(fields: Required & Partial<MediaItem>): MediaItem {
  return {
    takenAt: null,
    caption: null,
    permalink: null,
    mimeType: null,
    size: null,
    filename: null,
    width: null,
    height: null,
    durationMs: null,
    partial: false,
    children: [],
    download: null,
    ...fields,
  };
}

/** image/* and video/* by their type; everything else (PDF, mail, archives) is a document. */
export function kindFromMime(mime: string | null | undefined): MediaKind {
  if (mime?.startsWith("image/")) return "image";
  if (mime?.startsWith("video/")) return "video";
  return "document";
}

/** An item's download reference, checked: it must be one this provider wrote. */
export function readDownloadRef<S extends z.ZodType>(
  http: ProviderHttp,
  schema: S,
  item: Pick<MediaItem, "id" | "download">,
): z.output<S> {
  if (!item.download) {
    throw http.error("misconfigured", `${http.provider} item ${item.id} has nothing to download`);
  }
  return http.check("download reference", schema, item.download);
}
