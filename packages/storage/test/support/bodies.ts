import { createHash, randomBytes } from "node:crypto";
import { Readable } from "node:stream";

export const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");

/** A stream of `bytes` in chunks of `chunkSize`. */
export function bodyOf(bytes: Buffer, chunkSize = 64 * 1024): Readable {
  const chunks: Buffer[] = [];
  for (let at = 0; at < bytes.length; at += chunkSize)
    chunks.push(bytes.subarray(at, at + chunkSize));
  return Readable.from(chunks);
}

export async function readAll(body: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of body as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks);
}

/**
 * A body that sends `before` bytes and then fails like a dropped upload: with `error`, or by
 * closing early without one (what a client that disconnects looks like).
 */
export function failingBody(before: number, error?: Error): Readable {
  const body = new Readable({ read() {} });
  body.push(randomBytes(before));
  setTimeout(() => body.destroy(error), 20);
  return body;
}

/** `chunks` chunks of `chunkSize` random-ish bytes, counting how many were pulled. */
export function countedBody(chunks: number, chunkSize: number) {
  const state = { pulled: 0 };
  const chunk = randomBytes(chunkSize);
  const body = Readable.from(
    (function* () {
      for (let i = 0; i < chunks; i++) {
        state.pulled += 1;
        yield chunk;
      }
    })(),
  );
  return { body, state };
}

/**
 * `totalBytes` generated on the fly (never all in memory), with the sha256 the consumer
 * should see once it has read everything. Chunks differ from one another so no layer can
 * deduplicate them.
 */
export function generatedBody(
  totalBytes: number,
  {
    chunkSize = 64 * 1024,
    every,
  }: { chunkSize?: number; every?: { bytes: number; run(): void } } = {},
) {
  const hash = createHash("sha256");
  const template = randomBytes(chunkSize);
  let sent = 0;
  let index = 0;
  const body = new Readable({
    read() {
      if (sent >= totalBytes) {
        this.push(null);
        return;
      }
      const size = Math.min(chunkSize, totalBytes - sent);
      const chunk = Buffer.from(template.subarray(0, size));
      if (size >= 4) chunk.writeUInt32BE(index++ >>> 0, 0);
      hash.update(chunk);
      if (every && Math.floor((sent + size) / every.bytes) > Math.floor(sent / every.bytes)) {
        every.run();
      }
      sent += size;
      this.push(chunk);
    },
  });
  return { body, digest: () => hash.digest("hex") };
}
