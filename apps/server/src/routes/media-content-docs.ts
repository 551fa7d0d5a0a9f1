import type { PlainRouteDoc } from "@lifeline/api";

type Operation = PlainRouteDoc["operation"];
type Responses = NonNullable<Operation["responses"]>;

const ERROR_REF = { $ref: "#/components/schemas/Error" };
const EXAMPLE_REQUEST_ID = "0b6d3c1e-5f0a-4f4e-9d43-0e7c7c0b1f8a";

function errorJson(code: string, message: string) {
  return {
    "application/json": {
      schema: ERROR_REF,
      example: { error: { code, message, requestId: EXAMPLE_REQUEST_ID } },
    },
  };
}

const BINARY = { "*/*": { schema: { type: "string", format: "binary" } } };

const header = (description: string, example?: string) => ({
  description,
  schema: { type: "string" },
  ...(example === undefined ? {} : { example }),
});

function parameters(what: string): Operation["parameters"] {
  return [
    {
      name: "id",
      in: "path",
      required: true,
      description: "The media item's id",
      schema: { type: "string", format: "uuid" },
      example: "3f6c2a9e-1b7d-4c8e-9a0f-5d4e3c2b1a09",
    },
    {
      name: "Range",
      in: "header",
      required: false,
      description: `One byte range of the ${what}: \`bytes=0-1023\`, \`bytes=1024-\` (to the end) or \`bytes=-500\` (the last 500). A malformed value or several ranges are ignored: 200 with the whole ${what}.`,
      schema: { type: "string" },
      example: "bytes=0-1023",
    },
    {
      name: "If-None-Match",
      in: "header",
      required: false,
      description: "The ETag of a copy you hold: 304 if it is still current",
      schema: { type: "string" },
    },
    {
      name: "If-Range",
      in: "header",
      required: false,
      description: "With Range: apply the range only if this is still the current ETag",
      schema: { type: "string" },
    },
  ];
}

function responses(what: string, contentType: string, notFound: string): Responses {
  const common = {
    ETag: header("Strong tag derived from the content's sha256"),
    "Cache-Control": header("private (per user); the bytes of an id never change"),
    "Accept-Ranges": header("bytes", "bytes"),
    "Content-Length": header("Bytes in this answer"),
    "Content-Disposition": header(
      "inline, with the original file name (RFC 6266; UTF-8 in filename*)",
      `inline; filename="IMG_2041.jpg"; filename*=UTF-8''IMG_2041.jpg`,
    ),
  };
  return {
    "200": {
      description: `The whole ${what} (${contentType}), streamed`,
      headers: common,
      content: BINARY,
    },
    "206": {
      description: `The requested range of the ${what}`,
      headers: { ...common, "Content-Range": header("The range sent", "bytes 0-1023/2483117") },
      content: BINARY,
    },
    "304": {
      description: "Not modified: your copy (If-None-Match) is current",
      headers: { ETag: common.ETag, "Cache-Control": common["Cache-Control"] },
    },
    "404": {
      description: notFound,
      content: errorJson("NOT_FOUND", "No such media item"),
    },
    "416": {
      description: `The range starts at or past the end of the ${what}`,
      headers: { "Content-Range": header("bytes */<size>", "bytes */2483117") },
      content: errorJson(
        "RANGE_NOT_SATISFIABLE",
        "Range not satisfiable: the content is 2483117 bytes (first byte 0, last 2483116)",
      ),
    },
  };
}

const ERROR_STATUSES = [400, 401, 503];
const NOT_YOURS = "no such item, or not yours (the same answer either way)";

/** The plain routes of media-content.ts, for /openapi.json (Swagger UI can download them). */
export const MEDIA_CONTENT_DOCS: PlainRouteDoc[] = [
  {
    method: "get",
    path: "/media/{id}/content",
    tag: "media",
    protect: true,
    errorStatuses: ERROR_STATUSES,
    operation: {
      operationId: "media-content",
      summary: "Download (stream) an item's bytes; Range, ETag and If-None-Match supported",
      description:
        "Spends the per-user media budget (RATE_LIMIT_MEDIA_MAX), not the global limit. HEAD gives the headers alone.",
      parameters: parameters("content"),
      responses: responses(
        "content",
        "the item's own type",
        `Not found: ${NOT_YOURS}; or the item has no bytes (a post, an import not stored yet)`,
      ),
    },
  },
  {
    method: "get",
    path: "/media/{id}/thumbnail",
    tag: "media",
    protect: true,
    errorStatuses: ERROR_STATUSES,
    operation: {
      operationId: "media-thumbnail",
      summary: "Download an image item's thumbnail (WebP); Range, ETag and If-None-Match supported",
      description:
        "Spends the per-user media budget (RATE_LIMIT_MEDIA_MAX). A thumbnail that is not ready (`thumbnail` is pending, failed or none) is a 404 saying which.",
      parameters: parameters("thumbnail"),
      responses: responses(
        "thumbnail",
        "image/webp",
        `Not found: ${NOT_YOURS}; or its thumbnail is not ready (pending, failed, or none for this kind)`,
      ),
    },
  },
];
