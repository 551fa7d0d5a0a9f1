import { createHash } from "node:crypto";
import type { Readable } from "node:stream";

/** The sha256 and size of a stream's bytes, read to its end (never held in memory). */
export async function hashStream(body: Readable): Promise<{ sha256: string; size: number }> {
  const hash = createHash("sha256");
  let size = 0;
  for await (const chunk of body as AsyncIterable<Buffer>) {
    hash.update(chunk);
    size += chunk.length;
  }
  return { sha256: hash.digest("hex"), size };
}
