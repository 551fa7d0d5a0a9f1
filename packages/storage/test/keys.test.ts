import { describe, expect, it } from "vitest";

import { assertObjectKey, assertTempKey, blobKey, newTempKey, sha256OfBlobKey } from "../src/keys";
import { checkRange, fitRange } from "../src/ranges";
import { BlobRangeError } from "../src/errors";

const SHA = "ab" + "cd" + "e".repeat(60);

describe("keys", () => {
  it("put a blob under two levels of fan-out taken from its sha256", () => {
    expect(blobKey(SHA)).toBe(`blobs/ab/cd/${SHA}`);
    expect(sha256OfBlobKey(`blobs/ab/cd/${SHA}`)).toBe(SHA);
  });

  it("ignore files under blobs/ that are not where their name says", () => {
    expect(sha256OfBlobKey(`blobs/ab/ce/${SHA}`)).toBeNull();
    expect(sha256OfBlobKey(`blobs/ab/cd/${SHA}.part`)).toBeNull();
    expect(sha256OfBlobKey("blobs/ab/cd/.DS_Store")).toBeNull();
  });

  it("refuse a sha256 that is not 64 lower-case hex digits", () => {
    for (const bad of [SHA.toUpperCase(), SHA.slice(1), `${SHA}0`, "../../etc/passwd"]) {
      expect(() => blobKey(bad), bad).toThrow(TypeError);
    }
  });

  it("accept only temp keys of the shape putTemp hands out", () => {
    expect(() => assertTempKey(newTempKey())).not.toThrow();
    for (const bad of ["tmp/../blobs/ab", "tmp/x", `blobs/ab/cd/${SHA}`, "tmp/", ""]) {
      expect(() => assertTempKey(bad), bad).toThrow(TypeError);
    }
  });

  it("keep derived files in a namespace of their own", () => {
    for (const good of [`thumbnails/${SHA}.webp`, "previews/v1/a_b-c.jpg"]) {
      expect(() => assertObjectKey(good), good).not.toThrow();
    }
    for (const bad of [
      "thumbnail.webp",
      "blobs/ab/cd/x",
      "tmp/x",
      "thumbnails/../x",
      "thumbnails/.hidden",
      "Thumbnails/x",
      "thumbnails//x",
      "thumbnails/x/",
      `thumbnails/${"a".repeat(600)}`,
    ]) {
      expect(() => assertObjectKey(bad), bad).toThrow(TypeError);
    }
  });
});

describe("ranges", () => {
  it("refuse impossible ranges before any I/O", () => {
    for (const bad of [
      { start: 5, end: 4 },
      { start: -1, end: 4 },
      { start: 0, end: Number.POSITIVE_INFINITY },
      { start: Number.NaN, end: 1 },
    ]) {
      expect(() => checkRange(bad), JSON.stringify(bad)).toThrow(BlobRangeError);
    }
    expect(() => checkRange({ start: 0, end: 0 })).not.toThrow();
  });

  it("cut the end to the last byte and refuse a start past it", () => {
    expect(fitRange({ start: 5, end: 100 }, 10)).toEqual({ start: 5, end: 9 });
    expect(fitRange({ start: 9, end: 9 }, 10)).toEqual({ start: 9, end: 9 });
    const error = (() => {
      try {
        fitRange({ start: 10, end: 10 }, 10);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(BlobRangeError);
    expect((error as BlobRangeError).size).toBe(10);
  });
});
