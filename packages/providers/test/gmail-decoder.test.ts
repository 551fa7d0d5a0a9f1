import { Readable } from "node:stream";
import { buffer } from "node:stream/consumers";

import { describe, expect, it } from "vitest";

import { gmailAttachmentDecoder } from "../src/google/attachment-stream";

const fail = (message: string) => new Error(message);

/** Feeds `text` in chunks of `size` bytes through the decoder. */
async function decode(
  text: string,
  size: number,
  expectedSize: number | null = null,
): Promise<Buffer> {
  const bytes = Buffer.from(text, "latin1");
  const chunks: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += size) chunks.push(bytes.subarray(i, i + size));
  return buffer(Readable.from(chunks).pipe(gmailAttachmentDecoder({ expectedSize, fail })));
}

describe("the streaming Gmail attachment decoder", () => {
  const payload = Buffer.from(Array.from({ length: 3000 }, (_, i) => (i * 7) % 256));
  const body = JSON.stringify({
    attachmentId: "ANGjdJ9x",
    size: payload.length,
    data: payload.toString("base64url"),
  });

  it.each([1, 3, 7, 64, 4096])("decodes base64url in chunks of %i bytes", async (size) => {
    expect((await decode(body, size, payload.length)).equals(payload)).toBe(true);
  });

  it("takes fields in any order, escaped slashes, nested values and padding", async () => {
    const standard = payload.toString("base64").replace(/\//g, "\\/");
    const text = `{ "data" : "${standard}", "meta": {"x": [1, "}"]}, "size": ${payload.length} }`;
    expect((await decode(text, 5)).equals(payload)).toBe(true);
  });

  it("fails when the bytes differ from the size, or the body is cut or garbled", async () => {
    await expect(decode(body, 64, payload.length + 1)).rejects.toThrow(/promised/);
    const lying = JSON.stringify({ size: 10, data: payload.toString("base64url") });
    await expect(decode(lying, 64)).rejects.toThrow(/promised/);
    await expect(decode(body.slice(0, 200), 64)).rejects.toThrow(/cut off/);
    await expect(decode('{"data":"ab$cd"}', 64)).rejects.toThrow(/not base64/);
    await expect(decode("<html>", 64)).rejects.toThrow(/not a JSON object/);
  });
});
