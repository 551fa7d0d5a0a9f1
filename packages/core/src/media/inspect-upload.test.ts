import type { TempBlob } from "@lifeline/storage";
import { describe, expect, it } from "vitest";

import { AppError } from "../errors/app-error";
import { cleanFileName, inspectUpload } from "./inspect-upload";
import { png } from "./testing";

const NOW = new Date("2030-06-01T12:00:00Z");
const temp = (head: Buffer): TempBlob => ({
  tempKey: "tmp/x",
  size: head.length,
  sha256: "0".repeat(64),
  head,
});

async function refusal(promise: Promise<unknown>): Promise<AppError> {
  const error = await promise.catch((e: unknown) => e);
  expect(error).toBeInstanceOf(AppError);
  return error as AppError;
}

describe("inspectUpload", () => {
  it("refuses an empty file with a 400 naming the field", async () => {
    const error = await refusal(inspectUpload(temp(Buffer.alloc(0)), {}, NOW));
    expect(error).toMatchObject({
      code: "BAD_REQUEST",
      details: [{ path: "file", message: "is empty" }],
    });
  });

  it("refuses a PNG called .mp4, naming both", async () => {
    const error = await refusal(inspectUpload(temp(png()), { fileName: "clip.mp4" }, NOW));
    expect(error.code).toBe("UNSUPPORTED_MEDIA_TYPE");
    expect(error.message).toBe(
      'The file is a PNG image, but its name ends in ".mp4", which means a video file: rename it or send the right type',
    );
  });

  it("refuses a type off the allow-list, naming it", async () => {
    const wav = Buffer.concat([Buffer.from("RIFF\0\0\0\0WAVEfmt ", "latin1"), Buffer.alloc(40)]);
    const error = await refusal(inspectUpload(temp(wav), {}, NOW));
    expect(error.code).toBe("UNSUPPORTED_MEDIA_TYPE");
    expect(error.message).toMatch(
      /^The file is audio\/\S+, which the media library does not accept/,
    );
  });

  it("accepts a PNG and keeps its cleaned name", async () => {
    const inspected = await inspectUpload(temp(png()), { fileName: "C:\\photos\\cat.png" }, NOW);
    expect(inspected).toMatchObject({ type: { mime: "image/png" }, originalName: "cat.png" });
  });
});

describe("cleanFileName", () => {
  it("keeps the last path segment, without control characters, at most 255 characters", () => {
    expect(cleanFileName("../../etc/passwd")).toBe("passwd");
    expect(cleanFileName("a\u0000b\nc.jpg")).toBe("abc.jpg");
    expect(cleanFileName(`${"é".repeat(300)}.jpg`)).toHaveLength(255);
    expect(cleanFileName("   ")).toBeNull();
    expect(cleanFileName(undefined)).toBeNull();
  });
});
