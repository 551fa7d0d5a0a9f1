import type { ApiDeps, PlainRouteDoc } from "@lifeline/api";
import { AppError, ingestUpload, toMediaItemView, type IngestResult } from "@lifeline/core";
import type { FastifyInstance, FastifyRequest } from "fastify";

import { signedInContext } from "../plugins/authenticated-routes";
import { readMultipartFile, type MultipartFileUpload } from "./multipart-file";
import type { PlainRouteModule } from "./plain-routes";

const FILE_FIELD = "file";

/** `{ item }`, the item as media.get returns it (the MediaItem schema of the media router). */
const ITEM_RESPONSE = {
  type: "object",
  required: ["item"],
  properties: { item: { $ref: "#/components/schemas/MediaItem" } },
};

const notMultipart = () =>
  new AppError({
    code: "UNSUPPORTED_MEDIA_TYPE",
    message: "Send the file as multipart/form-data, in a part named `file`",
  });

const noFilePart = () =>
  new AppError({
    code: "BAD_REQUEST",
    message: "The form has no file: send it in a part named `file`",
    details: [{ path: FILE_FIELD, message: "is required" }],
  });

function isMultipartForm(req: FastifyRequest): boolean {
  const type = req.headers["content-type"];
  return typeof type === "string" && /^multipart\/form-data\s*(;|$)/i.test(type);
}

/** Reads the form's one file and ingests it; refusals come out as AppErrors. */
async function upload(
  req: FastifyRequest,
  deps: ApiDeps,
  form: MultipartFileUpload,
): Promise<IngestResult> {
  const { auth, logger } = signedInContext(req);
  const part = await form.file;
  if (!part) throw form.failure ?? noFilePart();
  if (part.fieldName !== FILE_FIELD) {
    throw new AppError({
      code: "BAD_REQUEST",
      message: `Send the file in a part named \`file\` (this one is named \`${part.fieldName.slice(0, 100)}\`)`,
      details: [{ path: FILE_FIELD, message: "is required" }],
    });
  }
  try {
    return await ingestUpload(
      {
        db: deps.db,
        storage: deps.storage,
        jobs: deps.jobs,
        timeline: deps.timeline,
        logger,
        now: deps.now,
      },
      {
        userId: auth.user.id,
        body: part.stream,
        fileName: part.fileName,
        declaredType: part.declaredType,
        maxBytes: deps.mediaConfig.maxUploadBytes,
        complete: form.complete,
      },
    );
  } catch (error) {
    // A broken form fails the file stream too: answer with what the parser saw, not with
    // the stream error storage passed on.
    throw form.failure ?? error;
  }
}

/**
 * POST /api/media: one file, as multipart/form-data in a part named `file`, streamed to
 * storage (never held in memory) and ingested (packages/core/src/media/ingest-upload.ts).
 * 201 with the new item; 200 with the existing one when this user already uploaded these
 * exact bytes. Behind the plain-route authentication; it spends the global rate limit.
 */
export const mediaUploadRoutes: PlainRouteModule = {
  docs: [
    {
      method: "post",
      path: "/media",
      tag: "media",
      protect: true,
      errorStatuses: [400, 401, 413, 415, 503],
      operation: {
        operationId: "media-upload",
        summary: "Upload a photo, video or PDF",
        description:
          "One file per request, as `multipart/form-data` in a part named `file`. The type comes " +
          "from the file's bytes: JPEG, PNG, GIF, WebP, HEIC/HEIF, AVIF and TIFF images, MP4, M4V, " +
          "QuickTime and WebM videos, PDF documents (415 otherwise, and when the file name or the " +
          "part's Content-Type says another kind, e.g. a PNG named `.mp4`). An empty file or a " +
          "truncated form is a 400; a file over the server's MEDIA_MAX_BYTES a 413. `takenAt` " +
          "comes from EXIF (images) or the movie header (video) where present, else it is the " +
          "upload time. Uploading the same bytes again answers 200 with the same item.",
        requestBody: {
          required: true,
          content: {
            "multipart/form-data": {
              schema: {
                type: "object",
                required: [FILE_FIELD],
                properties: {
                  [FILE_FIELD]: {
                    type: "string",
                    format: "binary",
                    description: "The file; its name is kept as `originalName`",
                  },
                },
              },
            },
          },
        },
        responses: {
          "201": {
            description: "Stored: the new item (images get `thumbnail: pending`)",
            content: { "application/json": { schema: ITEM_RESPONSE } },
          },
          "200": {
            description: "These exact bytes were already uploaded by this user: that item",
            content: { "application/json": { schema: ITEM_RESPONSE } },
          },
        },
      },
    } satisfies PlainRouteDoc,
  ],
  async register(scope: FastifyInstance, deps: ApiDeps) {
    await scope.register(async (media) => {
      // The file is read by the handler, as a stream; nothing is parsed before it.
      media.addContentTypeParser("multipart/form-data", (_req, _payload, done) => {
        done(null);
      });
      media.post(
        "/api/media",
        {
          // After authentication (the parent scope's hook): anything but a form is refused
          // before its body is read.
          onRequest: async (req) => {
            if (!isMultipartForm(req)) throw notMultipart();
          },
        },
        async (req, reply) => {
          const form = readMultipartFile(req.raw, {
            maxFileBytes: deps.mediaConfig.maxUploadBytes,
          });
          try {
            const { item, created } = await upload(req, deps, form);
            return await reply.status(created ? 201 : 200).send({ item: toMediaItemView(item) });
          } catch (error) {
            form.stop();
            // The rest of a refused body is not worth reading (it may be gigabytes): the
            // answer goes out, then the connection closes.
            if (!req.raw.complete) reply.header("connection", "close");
            throw error;
          }
        },
      );
    });
  },
};
