import sharp from "sharp";
import { describe, expect, it } from "vitest";

import { readMediaMetadata } from "./media-metadata";
import type { MediaType } from "./media-types";
import { jpeg, mp4, png } from "./testing";

const JPEG: MediaType = { mime: "image/jpeg", kind: "image", label: "JPEG image" };
const PNG: MediaType = { mime: "image/png", kind: "image", label: "PNG image" };
const MP4: MediaType = { mime: "video/mp4", kind: "video", label: "MP4 video" };
const PDF: MediaType = { mime: "application/pdf", kind: "document", label: "PDF document" };
const UPLOADED = new Date("2030-06-01T12:00:00Z");

describe("readMediaMetadata", () => {
  it("takes a JPEG's EXIF DateTimeOriginal with its offset, and its dimensions", async () => {
    const bytes = jpeg({
      width: 40,
      height: 24,
      exif: { dateTimeOriginal: "2019:07:14 15:30:00", offsetTimeOriginal: "+02:00" },
    });
    expect(await readMediaMetadata(bytes, JPEG, UPLOADED)).toEqual({
      takenAt: new Date("2019-07-14T13:30:00Z"),
      width: 40,
      height: 24,
      durationMs: null,
    });
  });

  it("falls back to CreateDate (digitised), with its own offset", async () => {
    const bytes = jpeg({
      exif: { createDate: "2018:01:02 03:04:05", offsetTimeDigitized: "+01:00" },
    });
    expect((await readMediaMetadata(bytes, JPEG, UPLOADED)).takenAt).toEqual(
      new Date("2018-01-02T02:04:05Z"),
    );
  });

  it("reports the dimensions as shown: orientations 5 to 8 swap them", async () => {
    const turned = jpeg({ width: 40, height: 24, exif: { orientation: 6 } });
    expect(await readMediaMetadata(turned, JPEG, UPLOADED)).toMatchObject({
      width: 24,
      height: 40,
    });
  });

  it("uses the upload time without EXIF, or with a date in the future", async () => {
    expect(await readMediaMetadata(png({ width: 5, height: 7 }), PNG, UPLOADED)).toEqual({
      takenAt: UPLOADED,
      width: 5,
      height: 7,
      durationMs: null,
    });
    const future = jpeg({ exif: { dateTimeOriginal: "2099:01:01 00:00:00" } });
    expect((await readMediaMetadata(future, JPEG, UPLOADED)).takenAt).toEqual(UPLOADED);
  });

  it("reads only the head: an image whose header is cut off gets no dimensions, not an error", async () => {
    const bytes = jpeg({
      width: 40,
      height: 24,
      exif: { dateTimeOriginal: "2019:07:14 15:30:00" },
    });
    const cut = bytes.subarray(0, 30);
    expect(await readMediaMetadata(cut, JPEG, UPLOADED)).toMatchObject({
      width: null,
      height: null,
    });
  });

  it("takes a video's duration and creation time from its movie header", async () => {
    const createdAt = new Date("2021-05-01T10:00:00Z");
    expect(await readMediaMetadata(mp4({ durationMs: 1500, createdAt }), MP4, UPLOADED)).toEqual({
      takenAt: createdAt,
      width: null,
      height: null,
      durationMs: 1500,
    });
  });

  it("gives a document the upload time and nothing else", async () => {
    expect(await readMediaMetadata(Buffer.from("%PDF-1.7\n"), PDF, UPLOADED)).toEqual({
      takenAt: UPLOADED,
      width: null,
      height: null,
      durationMs: null,
    });
  });

  it("the test JPEG is a real one: libjpeg (sharp) decodes it and sees the same EXIF", async () => {
    const bytes = jpeg({
      width: 40,
      height: 24,
      exif: { dateTimeOriginal: "2019:07:14 15:30:00", orientation: 6 },
    });
    const meta = await sharp(bytes).metadata();
    expect(meta).toMatchObject({ format: "jpeg", width: 40, height: 24, orientation: 6 });
    const thumbnail = await sharp(bytes).rotate().resize(8).webp().toBuffer();
    expect(thumbnail.subarray(8, 12).toString("latin1")).toBe("WEBP");
  });
});
