import type { ApiDeps } from "@lifeline/api";
import {
  AppError,
  findMediaContent,
  hasContent,
  mediaNotFound,
  thumbnailKey,
  type MediaContentRow,
} from "@lifeline/core";
import { BlobRangeError, type BlobRead, type ByteRange } from "@lifeline/storage";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";

import { sendError } from "../http-errors/register-error-handlers";
import { signedInContext } from "../plugins/authenticated-routes";
import { parseRange, type RangeRequest } from "./byte-ranges";
import { noneMatchHits, rangeStillValid } from "./conditional-requests";
import { inlineDisposition, thumbnailName } from "./content-disposition";
import { MEDIA_CONTENT_DOCS } from "./media-content-docs";
import type { PlainRouteModule } from "./plain-routes";

/** What differs between an item's bytes and its thumbnail. */
interface Variant {
  path: "content" | "thumbnail";
  etag(sha256: string): string;
  cacheControl: string;
  contentType(row: MediaContentRow): string;
  fileName(row: MediaContentRow): string | null;
  /** Why there is nothing to stream (404), or null when there is. */
  unavailable(row: MediaContentRow): string | null;
  /** The size from the database, when it has one (saves opening the object twice). */
  knownSize(row: MediaContentRow): number | null;
  open(deps: ApiDeps, sha256: string, range?: ByteRange): Promise<BlobRead | null>;
}

function noContent(row: MediaContentRow): string | null {
  if (hasContent(row)) return null;
  if (row.status === "pending") return "This item's content is not stored yet";
  if (row.status === "failed") return "This item's content could not be stored";
  return "This item has no content to stream (a post is text only)";
}

const THUMBNAIL_NOT_READY: Record<MediaContentRow["thumbnail"], string> = {
  none: "This item has no thumbnail (only images get one)",
  pending: "This item's thumbnail is not ready yet; try again shortly",
  failed: "This item's thumbnail could not be made",
  ready: "",
};

const VARIANTS: Variant[] = [
  {
    path: "content",
    // The bytes of an id never change while it exists (content-addressed): the hash is the tag.
    etag: (sha256) => `"${sha256}"`,
    cacheControl: "private, max-age=31536000, immutable",
    contentType: (row) => row.mime ?? "application/octet-stream",
    fileName: (row) => row.originalName,
    unavailable: noContent,
    knownSize: (row) => (row.sizeBytes === null ? null : Number(row.sizeBytes)),
    open: (deps, sha256, range) => deps.storage.get(sha256, range),
  },
  {
    path: "thumbnail",
    etag: (sha256) => `"${sha256}.thumb"`,
    // A thumbnail could be remade (a better encoder), so a day rather than forever.
    cacheControl: "private, max-age=86400",
    contentType: () => "image/webp",
    fileName: (row) => thumbnailName(row.originalName),
    unavailable: (row) =>
      noContent(row) ?? (row.thumbnail === "ready" ? null : THUMBNAIL_NOT_READY[row.thumbnail]),
    knownSize: () => null,
    open: (deps, sha256, range) => deps.storage.getObject(thumbnailKey(sha256), range),
  },
];

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function itemId(req: FastifyRequest): string {
  const { id } = req.params as { id?: string };
  if (id === undefined || !UUID.test(id)) {
    throw new AppError({
      code: "BAD_REQUEST",
      message: "Invalid input: id: must be a UUID",
      details: [{ path: "id", message: "must be a UUID" }],
    });
  }
  return id;
}

/** A row whose bytes are not where its hash says: never expected, so a logged 500. */
function missingBytes(req: FastifyRequest, row: MediaContentRow, what: string): AppError {
  req.log.error(
    { mediaItemId: row.id, sha256: row.sha256, object: what },
    "media item points at missing bytes",
  );
  return new AppError({ code: "INTERNAL_SERVER_ERROR", message: "Internal server error" });
}

function rangeNotSatisfiable(req: FastifyRequest, reply: FastifyReply, size: number) {
  reply.header("content-range", `bytes */${size}`);
  return sendError(
    req,
    reply,
    416,
    `Range not satisfiable: the content is ${size} bytes (first byte 0, last ${size - 1})`,
    { code: "RANGE_NOT_SATISFIABLE" },
  );
}

/**
 * GET/HEAD of an item's bytes or thumbnail: streamed from storage (never buffered), one
 * `Range` (206; past the end 416; malformed or several: ignored, 200 whole), strong ETag
 * with If-None-Match (304) and If-Range, private caching. Another user's id is the same 404
 * as an unknown id.
 */
async function serve(
  variant: Variant,
  deps: ApiDeps,
  req: FastifyRequest,
  reply: FastifyReply,
): Promise<FastifyReply> {
  const { auth } = signedInContext(req);
  const id = itemId(req);
  const row = await findMediaContent(deps.db, auth.user.id, id);
  if (!row) throw mediaNotFound();
  const unavailable = variant.unavailable(row);
  if (unavailable !== null || row.sha256 === null) {
    throw new AppError({ code: "NOT_FOUND", message: unavailable ?? "No such media item" });
  }
  const sha256 = row.sha256;

  const etag = variant.etag(sha256);
  // On 200, 206 and 304 only: an error answer must not be cached for a year.
  const representation = {
    etag,
    "cache-control": variant.cacheControl,
    "accept-ranges": "bytes",
  };
  // Before Range, as RFC 9110 §13.2.2 orders them.
  if (noneMatchHits(req.headers["if-none-match"], etag)) {
    return reply.code(304).headers(representation).send();
  }

  // Without a size on record (thumbnails), the whole object is opened to learn it.
  let whole: BlobRead | null = null;
  let size = variant.knownSize(row);
  if (size === null) {
    whole = await variant.open(deps, sha256);
    if (!whole) throw missingBytes(req, row, variant.path);
    size = whole.size;
  }
  // Node joins repeated headers; only If-Range may come as a list, which is never a match.
  const ifRange = req.headers["if-range"];
  const range: RangeRequest = rangeStillValid(
    Array.isArray(ifRange) ? ifRange.join(", ") : ifRange,
    etag,
  )
    ? parseRange(req.headers.range, size)
    : { kind: "whole" };
  if (range.kind === "unsatisfiable") {
    whole?.body.destroy();
    return rangeNotSatisfiable(req, reply, size);
  }

  let read: BlobRead | null;
  try {
    if (range.kind === "partial") {
      whole?.body.destroy();
      read = await variant.open(deps, sha256, { start: range.start, end: range.end });
    } else {
      read = whole ?? (await variant.open(deps, sha256));
    }
  } catch (error) {
    // The stored object is shorter than the row says: never expected, but answer it properly.
    if (error instanceof BlobRangeError) {
      req.log.error({ err: error, mediaItemId: row.id }, "stored size differs from the row's");
      return rangeNotSatisfiable(req, reply, error.size ?? size);
    }
    throw error;
  }
  if (!read) throw missingBytes(req, row, variant.path);
  if (read.size !== size) {
    read.body.destroy();
    req.log.error(
      { mediaItemId: row.id, sha256, recorded: size, stored: read.size },
      "stored size differs from the row's",
    );
    throw new AppError({ code: "INTERNAL_SERVER_ERROR", message: "Internal server error" });
  }

  reply.type(variant.contentType(row)).headers({
    ...representation,
    "x-content-type-options": "nosniff",
    "content-disposition": inlineDisposition(variant.fileName(row)),
  });
  if (read.range) {
    const { start, end } = read.range;
    reply
      .code(206)
      .header("content-range", `bytes ${start}-${end}/${size}`)
      .header("content-length", String(end - start + 1));
  } else {
    reply.code(200).header("content-length", String(size));
  }
  if (req.method === "HEAD") {
    read.body.destroy();
    return reply.send();
  }
  return reply.send(read.body);
}

/** `GET|HEAD /api/media/{id}/content` and `/thumbnail`, spending the per-user media budget. */
export const mediaContentRoutes: PlainRouteModule = {
  docs: MEDIA_CONTENT_DOCS,
  register(scope: FastifyInstance, deps: ApiDeps) {
    for (const variant of VARIANTS) {
      scope.route({
        method: ["GET", "HEAD"],
        url: `/api/media/:id/${variant.path}`,
        // A scrolling timeline asks for these by the hundred: its own budget, not the global one.
        config: { rateBudget: "media" },
        // Images and videos are compressed already, and compression would break Range.
        compress: false,
        handler: (req, reply) => serve(variant, deps, req, reply),
      });
    }
  },
};
