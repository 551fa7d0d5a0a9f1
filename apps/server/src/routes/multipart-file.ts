import type { IncomingMessage } from "node:http";
import type { Readable } from "node:stream";

import { Busboy, type BusboyFileStream } from "@fastify/busboy";
import { AppError } from "@lifeline/core";

/** The one file of a multipart/form-data request, as it streams in. */
export interface MultipartFilePart {
  /** The form field it came in. */
  fieldName: string;
  stream: Readable;
  /** The file name the client sent (the part's `filename`), if any. */
  fileName: string | null;
  /** The part's own Content-Type, if any. */
  declaredType: string | null;
}

export interface MultipartFileUpload {
  /** The first file part; null when the form ended without one. */
  file: Promise<MultipartFilePart | null>;
  /**
   * Resolves once the form has ended with its closing boundary; rejects when it did not
   * (the client went away, the body stopped short, a second file). Never unhandled.
   */
  complete: Promise<void>;
  /** Why reading stopped, once it has: the refusal to answer with. */
  readonly failure: AppError | null;
  /** Stops reading the request (after a refusal: the connection is then closed). */
  stop(): void;
}

export interface MultipartLimits {
  /** The file's limit; the parser cuts one byte past it so storage sees it is too large. */
  maxFileBytes: number;
}

const truncated = () =>
  new AppError({
    code: "BAD_REQUEST",
    message:
      "The upload ended before the form was complete (the connection closed or the closing boundary is missing); nothing was stored",
    details: [{ path: "file", message: "was cut off" }],
  });

const badForm = (message: string, path = "(body)") =>
  new AppError({ code: "BAD_REQUEST", message, details: [{ path, message }] });

/**
 * Streams the single file of a multipart/form-data request, with @fastify/busboy (the
 * parser @fastify/multipart wraps). Driven directly because this route must tell a complete
 * form from a truncated one: @fastify/multipart's streaming API reports a body that ends
 * without the closing boundary ("Unexpected end of multipart data") as a normal end, so a
 * file cut off after its part's delimiter would be stored. Here, `complete` resolves only
 * on the parser's finish, which needs the closing boundary.
 *
 * Limits: one file, a few small fields (ignored), headers of bounded size. Nothing is
 * buffered beyond the parser's own chunks: the file streams to whoever reads `stream`.
 */
export function readMultipartFile(
  req: IncomingMessage,
  limits: MultipartLimits,
): MultipartFileUpload {
  let busboy: ReturnType<typeof Busboy>;
  try {
    busboy = Busboy({
      headers: { ...req.headers, "content-type": req.headers["content-type"] ?? "" },
      limits: {
        files: 1,
        // One past the limit: storage refuses the body as soon as it passes maxBytes, while
        // a cut at exactly maxBytes would read (and drop) the rest of an oversized file.
        fileSize: limits.maxFileBytes + 1,
        fields: 8,
        fieldSize: 1024,
        fieldNameSize: 100,
        parts: 10,
        headerPairs: 20,
      },
    });
  } catch {
    throw badForm("The Content-Type multipart/form-data needs a boundary parameter");
  }

  let failure: AppError | null = null;
  let current: BusboyFileStream | null = null;
  let resolveFile!: (part: MultipartFilePart | null) => void;
  let rejectFile!: (error: AppError) => void;
  let resolveComplete!: () => void;
  let rejectComplete!: (error: AppError) => void;
  const file = new Promise<MultipartFilePart | null>((resolve, reject) => {
    resolveFile = resolve;
    rejectFile = reject;
  });
  const complete = new Promise<void>((resolve, reject) => {
    resolveComplete = resolve;
    rejectComplete = reject;
  });
  // Whoever awaits them sees the rejection; unawaited ones must not crash the process.
  file.catch(() => undefined);
  complete.catch(() => undefined);

  const stop = () => {
    req.unpipe(busboy);
  };
  const fail = (error: AppError) => {
    if (failure) return;
    failure = error;
    stop();
    // The file's reader (storage) gets the error too, and removes its partial temp.
    if (current && !current.destroyed && !current.readableEnded) current.destroy(error);
    rejectFile(error);
    rejectComplete(error);
  };

  busboy.on("file", (fieldName, stream, fileName, _encoding, mimeType) => {
    current = stream;
    // The parser also reports a cut-off part on the stream: whoever reads it sees that error
    // through its own listener; this one keeps an unread stream's error from crashing us.
    stream.on("error", () => undefined);
    // With `files: 1` busboy only announces the first; the limit event reports the rest.
    stream.on("limit", () => {
      stream.destroy(
        new AppError({
          code: "PAYLOAD_TOO_LARGE",
          message: `The file is larger than the limit of ${limits.maxFileBytes} bytes`,
        }),
      );
    });
    resolveFile({
      fieldName,
      stream,
      fileName: fileName || null,
      declaredType: mimeType || null,
    });
  });
  busboy.on("filesLimit", () => fail(badForm("Send one file per upload", "file")));
  busboy.on("partsLimit", () => fail(badForm("The form has too many parts")));
  busboy.on("fieldsLimit", () => fail(badForm("The form has too many fields")));
  busboy.on("error", () => fail(truncated()));
  busboy.on("finish", () => {
    if (failure) return;
    resolveFile(null); // no effect when the file came
    resolveComplete();
  });
  // A client that goes away mid-body: the request closes without having completed.
  req.on("close", () => {
    if (!req.complete) fail(truncated());
  });
  req.pipe(busboy);

  return {
    file,
    complete,
    get failure() {
      return failure;
    },
    stop,
  };
}
