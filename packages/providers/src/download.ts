import { Readable, Transform, type TransformCallback } from "node:stream";

import type { ProviderHttp } from "./http/client";
import type { MediaDownload } from "./provider";

/** A fetch body as a Node stream. */
export function nodeStream(response: Response): Readable {
  if (!response.body) return Readable.from([]);
  return Readable.fromWeb(response.body);
}

/** The Content-Length a response promises, unless a content encoding makes it meaningless. */
export function declaredLength(response: Response): number | null {
  if (response.headers.get("content-encoding")) return null;
  const value = response.headers.get("content-length");
  return value && /^\d+$/.test(value) ? Number(value) : null;
}

/**
 * Passes bytes through and, at the end, fails the stream (retry_later) if their count is
 * not what was promised: a truncated or swapped file must not be stored as if it were whole.
 */
export function verifyLength(http: ProviderHttp, expected: number | null, what: string): Transform {
  let count = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, callback: TransformCallback) {
      count += chunk.length;
      callback(null, chunk);
    },
    flush(callback: TransformCallback) {
      if (expected !== null && count !== expected) {
        callback(
          http.error(
            "retry_later",
            `${http.provider} ${what} delivered ${count} bytes where ${expected} were promised`,
            // Callers tell a wrong file (retry once, then give up) from a dropped connection.
            { providerCode: "length_mismatch" },
          ),
        );
        return;
      }
      callback();
    },
  });
}

/** A download from a 2xx response, its length checked against Content-Length. */
export function downloadFrom(http: ProviderHttp, response: Response, what: string): MediaDownload {
  const size = declaredLength(response);
  const stream = nodeStream(response);
  const checked = verifyLength(http, size, what);
  // A connection lost mid-body: the raw error may quote the (signed) URL, so it is replaced.
  stream.on("error", () =>
    checked.destroy(
      http.error("retry_later", `${http.provider} ${what} was cut off`, {
        providerCode: "cut_off",
      }),
    ),
  );
  return {
    stream: stream.pipe(checked),
    contentType: response.headers.get("content-type"),
    size,
  };
}
