import type { MediaKind } from "@lifeline/db";
import { fileTypeFromBuffer } from "file-type";

/** A type the media library accepts, as read from a file's bytes. */
export interface MediaType {
  mime: string;
  kind: Exclude<MediaKind, "post">;
  /** For people: "JPEG image", "QuickTime video". */
  label: string;
}

/**
 * The allow-list, by the MIME type `file-type` reports from the magic bytes. Images a
 * browser or sharp (libvips with libheif) can show or thumbnail, the videos phones and
 * cameras record, and PDF. Not accepted: camera RAW files (file-type names them apart from
 * TIFF), audio, archives, documents other than PDF, anything executable.
 */
const ALLOWED: readonly MediaType[] = [
  { mime: "image/jpeg", kind: "image", label: "JPEG image" },
  { mime: "image/png", kind: "image", label: "PNG image" },
  { mime: "image/gif", kind: "image", label: "GIF image" },
  { mime: "image/webp", kind: "image", label: "WebP image" },
  { mime: "image/heic", kind: "image", label: "HEIC image" },
  { mime: "image/heic-sequence", kind: "image", label: "HEIC image sequence" },
  { mime: "image/heif", kind: "image", label: "HEIF image" },
  { mime: "image/heif-sequence", kind: "image", label: "HEIF image sequence" },
  { mime: "image/avif", kind: "image", label: "AVIF image" },
  { mime: "image/tiff", kind: "image", label: "TIFF image" },
  { mime: "video/mp4", kind: "video", label: "MP4 video" },
  { mime: "video/x-m4v", kind: "video", label: "M4V video" },
  { mime: "video/quicktime", kind: "video", label: "QuickTime video" },
  { mime: "video/webm", kind: "video", label: "WebM video" },
  { mime: "application/pdf", kind: "document", label: "PDF document" },
];

const BY_MIME = new Map(ALLOWED.map((type) => [type.mime, type]));

/** What the allow-list holds, for messages and documentation. */
export const ACCEPTED_TYPES_TEXT =
  "JPEG, PNG, GIF, WebP, HEIC/HEIF, AVIF or TIFF images, MP4, M4V, QuickTime or WebM videos, and PDF documents";

export type DetectedType =
  | { accepted: true; type: MediaType }
  /** `mime` is what file-type recognised (audio/mpeg, application/zip…), or null for nothing. */
  | { accepted: false; mime: string | null };

/** The file's type from its first bytes (magic numbers), never from its name or a header. */
export async function detectMediaType(head: Uint8Array): Promise<DetectedType> {
  const found = await fileTypeFromBuffer(head);
  if (!found) return { accepted: false, mime: null };
  const type = BY_MIME.get(found.mime);
  return type ? { accepted: true, type } : { accepted: false, mime: found.mime };
}

/** A kind a client's hint can claim: ours, or a kind we know we do not accept. */
export type ClaimedKind = MediaType["kind"] | "audio" | "text" | "archive";

/**
 * File-name extensions that say what a file is. Only well-known ones: an extension missing
 * here (or none at all) claims nothing, so it can never cause a refusal.
 */
const EXTENSION_KINDS: Record<string, ClaimedKind> = Object.fromEntries([
  ...[
    "jpg",
    "jpeg",
    "jpe",
    "jfif",
    "png",
    "apng",
    "gif",
    "webp",
    "heic",
    "heif",
    "hif",
    "avif",
    "tif",
    "tiff",
    "bmp",
    "svg",
  ].map((ext) => [ext, "image"] as const),
  ...["mp4", "m4v", "mov", "qt", "webm", "mkv", "avi", "3gp", "3g2", "mpg", "mpeg", "wmv"].map(
    (ext) => [ext, "video"] as const,
  ),
  ["pdf", "document"] as const,
  ...["mp3", "m4a", "aac", "wav", "flac", "ogg", "oga", "opus", "wma"].map(
    (ext) => [ext, "audio"] as const,
  ),
  ...["txt", "csv", "json", "html", "htm", "xml", "md"].map((ext) => [ext, "text"] as const),
  ...["zip", "gz", "tgz", "tar", "rar", "7z"].map((ext) => [ext, "archive"] as const),
]);

/** What a file name's extension claims, or null when it claims nothing we know. */
export function kindFromFileName(name: string | null | undefined): ClaimedKind | null {
  if (!name) return null;
  const match = /\.([A-Za-z0-9]{1,10})$/.exec(name.trim());
  if (!match?.[1]) return null;
  return EXTENSION_KINDS[match[1].toLowerCase()] ?? null;
}

/**
 * What a declared Content-Type claims: its top-level type (image/*, video/*, audio/*,
 * text/*), PDF, or a well-known archive. Generic types (application/octet-stream, absent,
 * unparsable, or anything else) claim nothing.
 */
export function kindFromDeclaredType(contentType: string | null | undefined): ClaimedKind | null {
  if (!contentType) return null;
  const mime = contentType.split(";")[0]?.trim().toLowerCase() ?? "";
  const [top] = mime.split("/");
  if (top === "image" || top === "video" || top === "audio" || top === "text") return top;
  if (mime === "application/pdf") return "document";
  if (
    mime === "application/zip" ||
    mime === "application/gzip" ||
    mime === "application/x-tar" ||
    mime === "application/x-7z-compressed" ||
    mime === "application/vnd.rar"
  ) {
    return "archive";
  }
  return null;
}

export interface TypeHints {
  /** The file name the client sent. */
  fileName?: string | null | undefined;
  /** The Content-Type the client declared for the file (the multipart part's). */
  declaredType?: string | null | undefined;
}

/** Where a hint contradicting the bytes came from, and what it claimed. */
export interface TypeMismatch {
  source: "file name" | "declared type";
  hint: string;
  claimed: ClaimedKind;
}

/**
 * A hint that says the file is of another kind than its bytes: a PNG called `clip.mp4`, or
 * declared `video/mp4`. Kinds are compared, not exact types: a PNG named `.jpg` (common,
 * and harmless) is still an image. The bytes decide the type either way; this only refuses
 * a file whose owner evidently believes it is something else.
 */
export function typeMismatch(type: MediaType, hints: TypeHints): TypeMismatch | null {
  const byName = kindFromFileName(hints.fileName);
  if (byName && byName !== type.kind) {
    return { source: "file name", hint: hints.fileName ?? "", claimed: byName };
  }
  const byDeclared = kindFromDeclaredType(hints.declaredType);
  if (byDeclared && byDeclared !== type.kind) {
    return { source: "declared type", hint: hints.declaredType ?? "", claimed: byDeclared };
  }
  return null;
}
