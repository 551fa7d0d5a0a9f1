import { ProviderError } from "@lifeline/providers";
import { BlobIntegrityError } from "@lifeline/storage";
import { describe, expect, it } from "vitest";

import { AppError } from "../errors/app-error";
import { classifyFailure, DEFAULT_RATE_LIMIT_PAUSE_MS } from "./classify-failure";
import { leafItems, readStoredRef } from "./leaf-items";

const base = {
  takenAt: null,
  caption: null,
  permalink: null,
  mimeType: null,
  size: null,
  filename: null,
  width: null,
  height: null,
  durationMs: null,
  partial: false,
  children: [],
  download: null,
};

describe("leafItems", () => {
  it("makes a carousel's children one item each, with the parent's caption and posted-at", () => {
    const at = new Date("2025-06-01T18:22:05Z");
    const leaves = leafItems([
      {
        ...base,
        id: "parent",
        kind: "post",
        caption: "Launch day",
        takenAt: at,
        children: [
          { ...base, id: "c1", kind: "image", download: { mediaId: "c1" } },
          { ...base, id: "c2", kind: "video", caption: "own", download: { mediaId: "c2" } },
        ],
      },
    ]);
    expect(leaves.map((l) => [l.providerItemId, l.shape, l.kind, l.caption, l.takenAt])).toEqual([
      ["c1", "bytes", "image", "Launch day", at],
      ["c2", "bytes", "video", "own", at],
    ]);
  });

  it("keeps a text-only post as a post, skips what has neither bytes nor text, drops repeats", () => {
    const leaves = leafItems([
      { ...base, id: "p", kind: "post", caption: "Words" },
      { ...base, id: "empty", kind: "post", caption: "   " },
      { ...base, id: "nothing", kind: "image" },
      { ...base, id: "p", kind: "post", caption: "Words" },
    ]);
    expect(leaves.map((l) => [l.providerItemId, l.shape])).toEqual([
      ["p", "post"],
      ["empty", "skip"],
      ["nothing", "skip"],
    ]);
  });

  it("stores the download reference and the advertised size, and reads them back", () => {
    const [leaf] = leafItems([
      {
        ...base,
        id: "m:1",
        kind: "image",
        size: 42,
        filename: "dir/beach.png",
        download: { messageId: "m", partId: "1" },
      },
    ]);
    expect(leaf?.originalName).toBe("beach.png");
    expect(readStoredRef(leaf?.downloadRef)).toEqual({
      ref: { messageId: "m", partId: "1" },
      size: 42,
    });
    expect(readStoredRef({ ref: { a: 1 } })).toBeNull();
    expect(readStoredRef("x")).toBeNull();
    expect(readStoredRef({ ref: { a: "b" }, size: -1 })).toEqual({ ref: { a: "b" }, size: null });
  });
});

describe("classifyFailure", () => {
  const error = (options: Partial<ConstructorParameters<typeof ProviderError>[0]>) =>
    new ProviderError({ code: "retry_later", provider: "instagram", message: "m", ...options });

  it("sorts provider failures", () => {
    expect(classifyFailure(error({ code: "needs_relink" })).kind).toBe("relink");
    expect(classifyFailure(error({ code: "misconfigured" })).kind).toBe("misconfigured");
    expect(classifyFailure(error({ status: 429 }))).toMatchObject({
      kind: "rate_limited",
      retryAfterMs: DEFAULT_RATE_LIMIT_PAUSE_MS,
    });
    expect(classifyFailure(error({ retryAfterMs: 1500 }))).toMatchObject({ retryAfterMs: 1500 });
    expect(classifyFailure(error({ providerCode: "80002" })).kind).toBe("rate_limited");
    expect(classifyFailure(error({ providerCode: "length_mismatch" })).kind).toBe("integrity");
    expect(classifyFailure(error({ itemNotFound: true })).kind).toBe("item");
    expect(classifyFailure(error({ status: 503 })).kind).toBe("transient");
  });

  it("sorts storage and ingest failures, and never passes an unknown error's message on", () => {
    const mismatch = new BlobIntegrityError([{ field: "expectedSize", expected: 2, actual: 1 }]);
    expect(classifyFailure(mismatch).kind).toBe("integrity");
    const refused = new AppError({ code: "UNSUPPORTED_MEDIA_TYPE", message: "not a photo" });
    expect(classifyFailure(refused)).toEqual({ kind: "item", message: "not a photo" });
    const secret = new Error("connect ECONNREFUSED postgres://user:pw@db/lifeline");
    const failure = classifyFailure(secret);
    expect(failure.kind).toBe("transient");
    expect(failure.message).not.toContain("pw");
  });
});
