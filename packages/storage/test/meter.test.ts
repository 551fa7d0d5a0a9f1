import { randomBytes } from "node:crypto";
import { Readable, Writable } from "node:stream";
import { pipeline } from "node:stream/promises";

import { describe, expect, it } from "vitest";

import { BlobTooLargeError } from "../src/errors";
import { BlobMeter, HEAD_BYTES, meterBody } from "../src/meter";
import { sha256 } from "./support/bodies";

/** Runs `chunks` through a meter into a sink; returns what came out and the measurement. */
async function meter(chunks: Buffer[], maxBytes: number) {
  const out: Buffer[] = [];
  const blobMeter = new BlobMeter(maxBytes);
  await pipeline(
    Readable.from(chunks),
    blobMeter,
    new Writable({
      write(chunk: Buffer, _encoding, done) {
        out.push(chunk);
        done();
      },
    }),
  );
  return { out: Buffer.concat(out), ...blobMeter.result() };
}

describe("BlobMeter", () => {
  it("passes bytes through unchanged, counting and hashing them", async () => {
    const bytes = randomBytes(100_000);
    const result = await meter(
      [bytes.subarray(0, 1), bytes.subarray(1, 70_000), bytes.subarray(70_000)],
      100_000,
    );
    expect(result.out.equals(bytes)).toBe(true);
    expect(result.size).toBe(100_000);
    expect(result.sha256).toBe(sha256(bytes));
  });

  it("keeps exactly the first 256 KiB as the head, across chunks", async () => {
    const bytes = randomBytes(HEAD_BYTES + 50_000);
    const chunks = [
      bytes.subarray(0, 100_000),
      bytes.subarray(100_000, 200_000),
      bytes.subarray(200_000),
    ];
    const result = await meter(chunks, bytes.length);
    expect(result.head.length).toBe(HEAD_BYTES);
    expect(result.head.equals(bytes.subarray(0, HEAD_BYTES))).toBe(true);
  });

  it("keeps the whole body as the head when it is shorter", async () => {
    const bytes = randomBytes(1000);
    expect((await meter([bytes], 1000)).head.equals(bytes)).toBe(true);
  });

  it("copies the head, so it does not pin the body's chunks", async () => {
    const chunk = randomBytes(1000);
    const { head } = await meter([chunk], 1000);
    expect(head.buffer).not.toBe(chunk.buffer);
  });

  it("fails on the chunk that passes the limit, before passing it on", async () => {
    const out: Buffer[] = [];
    const blobMeter = new BlobMeter(1500);
    const error = await pipeline(
      Readable.from([randomBytes(1000), randomBytes(1000), randomBytes(1000)]),
      blobMeter,
      new Writable({
        write(chunk: Buffer, _encoding, done) {
          out.push(chunk);
          done();
        },
      }),
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BlobTooLargeError);
    expect(Buffer.concat(out).length).toBe(1000);
  });

  it("refuses a stream of objects that are not bytes", async () => {
    await expect(meter([{ not: "bytes" }] as unknown as Buffer[], 100)).rejects.toThrow(
      "stream of bytes",
    );
  });
});

describe("meterBody", () => {
  it("refuses a body that yields strings instead of storing re-encoded text", async () => {
    const body = Readable.from(["héllo"]);
    const metered = meterBody(body, { maxBytes: 100 });
    const error = await pipeline(
      metered.stream,
      new Writable({
        write(_chunk, _encoding, done) {
          done();
        },
      }),
    ).catch((e: unknown) => e);
    metered.detach();
    expect(error).toBeInstanceOf(TypeError);
  });
});
