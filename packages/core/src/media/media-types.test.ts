import { describe, expect, it } from "vitest";

import {
  detectMediaType,
  kindFromDeclaredType,
  kindFromFileName,
  typeMismatch,
  type MediaType,
} from "./media-types";
import { gif, jpeg, mp4, png } from "./testing";

const PNG: MediaType = { mime: "image/png", kind: "image", label: "PNG image" };

describe("detectMediaType", () => {
  it("reads the type from the magic bytes", async () => {
    expect(await detectMediaType(jpeg())).toMatchObject({
      accepted: true,
      type: { mime: "image/jpeg", kind: "image" },
    });
    expect(await detectMediaType(png())).toMatchObject({
      accepted: true,
      type: { mime: "image/png" },
    });
    expect(await detectMediaType(gif())).toMatchObject({
      accepted: true,
      type: { mime: "image/gif" },
    });
    expect(await detectMediaType(mp4())).toMatchObject({
      accepted: true,
      type: { mime: "video/mp4", kind: "video" },
    });
    expect(await detectMediaType(mp4({ brand: "qt" }))).toMatchObject({
      accepted: true,
      type: { mime: "video/quicktime", kind: "video" },
    });
    expect(await detectMediaType(mp4({ brand: "heic" }))).toMatchObject({
      accepted: true,
      type: { mime: "image/heic", kind: "image" },
    });
    const pdf = Buffer.from("%PDF-1.7\n1 0 obj\n<<>>\nendobj\n");
    expect(await detectMediaType(pdf)).toMatchObject({
      accepted: true,
      type: { kind: "document" },
    });
  });

  it("refuses what it recognises but does not accept, naming it, and what it does not recognise", async () => {
    expect(await detectMediaType(mp4({ brand: "M4A " }))).toEqual({
      accepted: false,
      mime: "audio/x-m4a",
    });
    const zip = Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), Buffer.alloc(60)]);
    expect(await detectMediaType(zip)).toEqual({ accepted: false, mime: "application/zip" });
    expect(await detectMediaType(Buffer.from("plain words"))).toEqual({
      accepted: false,
      mime: null,
    });
    expect(await detectMediaType(Buffer.alloc(0))).toEqual({ accepted: false, mime: null });
  });
});

describe("type hints", () => {
  it("an extension claims a kind only when it is a well-known one", () => {
    expect(kindFromFileName("clip.MP4")).toBe("video");
    expect(kindFromFileName("scan.pdf")).toBe("document");
    expect(kindFromFileName("song.mp3")).toBe("audio");
    expect(kindFromFileName("photo")).toBeNull();
    expect(kindFromFileName("archive.xyz")).toBeNull();
    expect(kindFromFileName(null)).toBeNull();
  });

  it("a declared type claims its top-level kind; generic ones claim nothing", () => {
    expect(kindFromDeclaredType("video/mp4")).toBe("video");
    expect(kindFromDeclaredType("image/jpeg; charset=binary")).toBe("image");
    expect(kindFromDeclaredType("application/pdf")).toBe("document");
    expect(kindFromDeclaredType("application/octet-stream")).toBeNull();
    expect(kindFromDeclaredType("")).toBeNull();
  });

  it("refuses a hint of another kind than the bytes, not a different type of the same kind", () => {
    expect(typeMismatch(PNG, { fileName: "clip.mp4" })).toEqual({
      source: "file name",
      hint: "clip.mp4",
      claimed: "video",
    });
    expect(typeMismatch(PNG, { fileName: "clip", declaredType: "video/mp4" })).toMatchObject({
      source: "declared type",
      claimed: "video",
    });
    expect(typeMismatch(PNG, { fileName: "photo.jpg", declaredType: "image/jpeg" })).toBeNull();
    expect(
      typeMismatch(PNG, { fileName: "photo", declaredType: "application/octet-stream" }),
    ).toBeNull();
    expect(typeMismatch(PNG, {})).toBeNull();
  });
});
