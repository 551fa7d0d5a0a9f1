import { describe, expect, it } from "vitest";

import { readMovieHeader } from "./iso-movie";
import { mp4 } from "./testing";

function box(type: string, payload: Buffer): Buffer {
  const size = Buffer.alloc(4);
  size.writeUInt32BE(payload.length + 8);
  return Buffer.concat([size, Buffer.from(type, "latin1"), payload]);
}

describe("readMovieHeader", () => {
  it("reads duration and creation time from an mvhd inside a leading moov", () => {
    const createdAt = new Date("2021-05-01T10:00:00Z");
    expect(readMovieHeader(mp4({ durationMs: 3250, timescale: 600, createdAt }))).toEqual({
      durationMs: 3250,
      createdAt,
    });
  });

  it("says nothing of an unknown creation time (zero)", () => {
    expect(readMovieHeader(mp4({ durationMs: 1000 }))).toEqual({
      durationMs: 1000,
      createdAt: null,
    });
  });

  it("reads a version 1 mvhd (64-bit times)", () => {
    const payload = Buffer.alloc(4 + 8 + 8 + 4 + 8 + 80);
    payload[0] = 1;
    payload.writeBigUInt64BE(BigInt(2_082_844_800 + 1_600_000_000), 4);
    payload.writeUInt32BE(1000, 20);
    payload.writeBigUInt64BE(90_061_000n, 24);
    const file = Buffer.concat([
      box("ftyp", Buffer.from("isom\0\0\0\0", "latin1")),
      box("moov", box("mvhd", payload)),
    ]);
    expect(readMovieHeader(file)).toEqual({
      durationMs: 90_061_000,
      createdAt: new Date(1_600_000_000_000),
    });
  });

  it("gives nothing when the moov is past the head (it follows a large mdat)", () => {
    const file = mp4();
    const ftyp = file.subarray(0, 24);
    const head = Buffer.concat([ftyp, box("mdat", Buffer.alloc(1000))]);
    // The head ends inside the mdat; the moov would come after it.
    expect(readMovieHeader(head.subarray(0, 500))).toBeNull();
  });

  it("survives garbage", () => {
    expect(readMovieHeader(Buffer.from("not a movie at all"))).toBeNull();
    expect(readMovieHeader(Buffer.alloc(0))).toBeNull();
    const zeroSize = Buffer.alloc(16);
    zeroSize.write("moov", 4, "latin1");
    expect(readMovieHeader(zeroSize)).toBeNull();
  });
});
