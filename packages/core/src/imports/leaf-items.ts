import type { MediaKind } from "@lifeline/db";
import type { DownloadRef, MediaItem } from "@lifeline/providers";

import { cleanFileName } from "../media/inspect-upload";

/**
 * What media_items.download_ref holds while an imported item waits for its bytes: the
 * provider's reference (ids only, never a token) and the size the provider advertised.
 */
export interface StoredDownloadRef {
  ref: DownloadRef;
  size: number | null;
}

/** One item of the library as a listing shows it: a carousel's children are one each. */
export interface LeafItem {
  providerItemId: string;
  /** `bytes`: to download; `post`: text only, stored as it is; `skip`: nothing to keep. */
  shape: "bytes" | "post" | "skip";
  kind: MediaKind;
  takenAt: Date | null;
  caption: string | null;
  originalName: string | null;
  width: number | null;
  height: number | null;
  durationMs: number | null;
  downloadRef: StoredDownloadRef | null;
}

function shapeOf(item: MediaItem): LeafItem["shape"] {
  if (item.download) return "bytes";
  if (item.kind === "post" && item.caption?.trim()) return "post";
  return "skip";
}

function leaf(item: MediaItem, parent: MediaItem | null): LeafItem {
  const shape = shapeOf(item);
  return {
    providerItemId: item.id,
    shape,
    // A file's kind is settled by its bytes once downloaded; this is the provider's guess.
    kind: shape === "bytes" && item.kind === "post" ? "document" : item.kind,
    takenAt: item.takenAt ?? parent?.takenAt ?? null,
    caption: item.caption ?? parent?.caption ?? null,
    originalName: cleanFileName(item.filename),
    width: item.width,
    height: item.height,
    durationMs: item.durationMs,
    downloadRef: item.download ? { ref: item.download, size: item.size } : null,
  };
}

/**
 * A listing page's items as library items: a carousel, album or multi-image post becomes
 * its children (each with the parent's caption and posted-at when it has none); a mail's
 * attachments already arrive one item each. Duplicates within the page are dropped.
 */
export function leafItems(items: readonly MediaItem[]): LeafItem[] {
  const seen = new Set<string>();
  const leaves: LeafItem[] = [];
  for (const item of items) {
    const parts = item.children.length
      ? item.children.map((c) => leaf(c, item))
      : [leaf(item, null)];
    for (const part of parts) {
      if (seen.has(part.providerItemId)) continue;
      seen.add(part.providerItemId);
      leaves.push(part);
    }
  }
  return leaves;
}

/** A stored download_ref, read back; null if it is not one this module wrote. */
export function readStoredRef(value: unknown): StoredDownloadRef | null {
  if (typeof value !== "object" || value === null) return null;
  const { ref, size } = value as { ref?: unknown; size?: unknown };
  if (typeof ref !== "object" || ref === null) return null;
  const entries = Object.entries(ref as Record<string, unknown>);
  if (!entries.every(([, v]) => typeof v === "string")) return null;
  return {
    ref: Object.fromEntries(entries) as DownloadRef,
    size: typeof size === "number" && Number.isSafeInteger(size) && size >= 0 ? size : null,
  };
}
