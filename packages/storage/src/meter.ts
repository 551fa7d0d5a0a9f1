import { createHash } from "node:crypto";
import {
  addAbortSignal,
  finished,
  Transform,
  type Readable,
  type TransformCallback,
} from "node:stream";

import { BlobTooLargeError } from "./errors";

/** How much of the start of a body is kept in memory, for magic-byte typing and EXIF. */
export const HEAD_BYTES = 256 * 1024;

export interface Measurement {
  size: number;
  /** Lower-case hex. */
  sha256: string;
}

/**
 * Passes bytes through unchanged while hashing (sha256), counting, and keeping the first
 * HEAD_BYTES. Fails with BlobTooLargeError on the chunk that passes `maxBytes`, before that
 * chunk goes any further.
 */
export class BlobMeter extends Transform {
  readonly #hash = createHash("sha256");
  readonly #head: Buffer[] = [];
  #headLength = 0;
  #size = 0;

  constructor(private readonly maxBytes: number) {
    // Object mode on the way in, so that whatever a body yields reaches _transform and is
    // refused there (a plain Writable throws out of pipe() on a non-byte chunk).
    super({ writableObjectMode: true });
  }

  override _transform(chunk: unknown, _encoding: BufferEncoding, done: TransformCallback): void {
    if (!(chunk instanceof Uint8Array)) {
      // Strings included: a body with setEncoding() would be re-encoded, not stored as sent.
      done(new TypeError("the body must be a stream of bytes"));
      return;
    }
    this.#size += chunk.byteLength;
    if (this.#size > this.maxBytes) {
      done(new BlobTooLargeError(this.maxBytes));
      return;
    }
    this.#hash.update(chunk);
    if (this.#headLength < HEAD_BYTES) {
      // A copy: a slice would keep the whole (possibly pooled) chunk alive.
      const part = Buffer.from(chunk.subarray(0, HEAD_BYTES - this.#headLength));
      this.#head.push(part);
      this.#headLength += part.byteLength;
    }
    done(null, chunk);
  }

  /** Call once the stream has ended: the hash can be read only once. */
  result(): Measurement & { head: Buffer } {
    return {
      size: this.#size,
      sha256: this.#hash.digest("hex"),
      head: Buffer.concat(this.#head, this.#headLength),
    };
  }
}

export interface MeteredBody {
  /** The body's bytes, measured; what a driver writes. */
  stream: BlobMeter;
  /** Stops reading `body` and tears the metered stream down (after a failure). */
  detach(): void;
}

/**
 * Feeds `body` through a BlobMeter without making `body` part of a pipeline: a failure here
 * (too large, aborted, storage down) stops reading and leaves `body` to its owner, undestroyed,
 * so an HTTP route can still answer 413 on the same connection. An error on `body`, or `body`
 * closing before its end (a client that went away), fails the metered stream.
 */
export function meterBody(
  body: Readable,
  { maxBytes, signal }: { maxBytes: number; signal?: AbortSignal | undefined },
): MeteredBody {
  const meter = new BlobMeter(maxBytes);
  // The error reaches the caller through the driver's read of `meter` and `meter.errored`;
  // this listener only stops an error raised before the driver starts reading (a body over
  // a tiny limit) from being an uncaught exception.
  meter.on("error", () => {});
  if (signal) addAbortSignal(signal, meter);
  const stopWatching = finished(body, { writable: false }, (error) => {
    if (error) meter.destroy(error);
  });
  body.pipe(meter);
  return {
    stream: meter,
    detach() {
      stopWatching();
      body.unpipe(meter);
      if (!meter.destroyed) meter.destroy();
    },
  };
}
