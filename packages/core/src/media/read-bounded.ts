import type { Readable } from "node:stream";

/** The stream held more bytes than the caller allowed; it was destroyed unread past that. */
export class StreamTooLargeError extends Error {
  override name = "StreamTooLargeError";
  constructor(readonly limit: number) {
    super(`more than ${limit} bytes`);
  }
}

/**
 * Reads a stream into one Buffer, refusing (and destroying the stream) as soon as it passes
 * `maxBytes`, or when `signal` aborts. For inputs that must be whole in memory anyway (an
 * image's encoded bytes, which the decoder needs at once), with a ceiling on what that costs.
 */
export async function readBounded(
  stream: Readable,
  maxBytes: number,
  signal?: AbortSignal,
): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let length = 0;
  const abort = () => stream.destroy(signal?.reason instanceof Error ? signal.reason : undefined);
  signal?.addEventListener("abort", abort, { once: true });
  try {
    signal?.throwIfAborted();
    for await (const chunk of stream) {
      const bytes = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array);
      length += bytes.length;
      if (length > maxBytes) throw new StreamTooLargeError(maxBytes);
      chunks.push(bytes);
    }
    signal?.throwIfAborted();
    return Buffer.concat(chunks, length);
  } finally {
    signal?.removeEventListener("abort", abort);
    // Also after an early exit (too large, aborted): release the file or connection.
    if (!stream.destroyed) stream.destroy();
  }
}
