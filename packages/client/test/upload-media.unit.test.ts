import { TRPCClientError } from "@trpc/client";
import { afterEach, describe, expect, it, vi } from "vitest";

import {
  createLifelineClient,
  isLifelineError,
  lifelineErrorCode,
  lifelineErrorReason,
  memoryTokenStore,
  SessionExpiredError,
  uploadMedia,
  type MediaItem,
  type UploadProgress,
} from "../src";
import { NEW_PAIR, OLD_PAIR, ok, refused, scriptedServer, USER } from "./support/fake-fetch";

const ITEM: MediaItem = {
  id: "3f6c2a9e-1b7d-4c8e-9a0f-5d4e3c2b1a09",
  source: "upload",
  kind: "image",
  status: "stored",
  takenAt: "2019-07-14T13:30:00.000Z",
  caption: null,
  mime: "image/png",
  sizeBytes: 5,
  sha256: "a".repeat(64),
  originalName: "cat.png",
  width: 1,
  height: 1,
  durationMs: null,
  thumbnail: "pending",
  createdAt: "2030-01-01T00:00:00.000Z",
  contentUrl: "/api/media/3f6c2a9e-1b7d-4c8e-9a0f-5d4e3c2b1a09/content",
  thumbnailUrl: null,
};

interface ReceivedUpload {
  url: string;
  authorization: string | null;
  contentType: string | null;
  /** The whole request body as the server got it. */
  body: string;
}

type UploadAnswer = { status: number; body: unknown };

const restRefusal = (status: number, code: string, reason?: string): UploadAnswer => ({
  status,
  body: {
    error: { code, message: `refused: ${code}`, requestId: "req-9", ...(reason ? { reason } : {}) },
  },
});

/**
 * A fake API: POST /api/media answers from `answer` (in order), everything else is the
 * scripted tRPC server (auth.refresh answers with NEW_PAIR).
 */
function fakeApi(
  answer: (upload: ReceivedUpload, n: number) => UploadAnswer | Promise<UploadAnswer>,
) {
  const trpc = scriptedServer((procedure) =>
    procedure === "auth.refresh"
      ? ok(NEW_PAIR)
      : procedure === "auth.me"
        ? refused("UNAUTHORIZED", "token_expired")
        : ok({ user: USER }),
  );
  const uploads: ReceivedUpload[] = [];
  const fetch: typeof globalThis.fetch = async (input, init) => {
    const url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
    if (!url.endsWith("/api/media")) return trpc.fetch(input, init);
    const headers = new Headers(init?.headers);
    const request = new Request(url, {
      method: "POST",
      headers,
      body: init?.body ?? null,
      duplex: "half",
    });
    const upload: ReceivedUpload = {
      url,
      authorization: headers.get("authorization"),
      contentType: request.headers.get("content-type"),
      body: await request.text(),
    };
    uploads.push(upload);
    const reply = await answer(upload, uploads.length);
    return Response.json(reply.body, { status: reply.status });
  };
  return { fetch, uploads, trpc };
}

const file = () =>
  new File([new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d])], "cat.png", { type: "image/png" });

describe("uploadMedia over fetch", () => {
  it("posts one multipart part `file` to /api/media with the stored token, and returns the item", async () => {
    const api = fakeApi(() => ({ status: 201, body: { item: ITEM } }));
    const item = await uploadMedia(
      { url: "http://api.test/trpc", tokens: memoryTokenStore(OLD_PAIR), fetch: api.fetch },
      file(),
    );
    expect(item).toEqual(ITEM);
    const [upload] = api.uploads;
    expect(upload?.url).toBe("http://api.test/api/media");
    expect(upload?.authorization).toBe("Bearer old-access");
    expect(upload?.contentType).toMatch(/^multipart\/form-data; boundary=/);
    expect(upload?.body).toContain(
      'Content-Disposition: form-data; name="file"; filename="cat.png"',
    );
    expect(upload?.body).toContain("Content-Type: image/png");
  });

  it("streams its own form body when progress is wanted, counting the file's bytes to the end", async () => {
    const api = fakeApi(() => ({ status: 200, body: { item: ITEM } }));
    const bytes = new Uint8Array(200_000).map((_, i) => i % 251);
    const events: UploadProgress[] = [];
    await uploadMedia(
      { url: "http://api.test", tokens: memoryTokenStore(OLD_PAIR), fetch: api.fetch },
      new Blob([bytes], { type: "video/mp4" }),
      { name: 'clip "one".mp4', onProgress: (progress) => events.push(progress) },
    );
    const upload = api.uploads[0]!;
    const boundary = upload.contentType?.split("boundary=")[1] ?? "";
    expect(upload.body.startsWith(`--${boundary}\r\n`)).toBe(true);
    expect(upload.body.endsWith(`\r\n--${boundary}--\r\n`)).toBe(true);
    expect(upload.body).toContain('filename="clip %22one%22.mp4"');
    expect(events[0]).toEqual({ loaded: 0, total: bytes.length });
    expect(events.at(-1)).toEqual({ loaded: bytes.length, total: bytes.length });
    const loaded = events.map((event) => event.loaded);
    expect(loaded).toEqual([...loaded].sort((a, b) => a - b));
  });

  it("renews an expired token once, through the refresher the client shares, and sends the file again", async () => {
    const tokens = memoryTokenStore(OLD_PAIR);
    const api = fakeApi((upload) =>
      upload.authorization === "Bearer old-access"
        ? restRefusal(401, "UNAUTHORIZED", "token_expired")
        : { status: 201, body: { item: ITEM } },
    );
    const client = createLifelineClient({
      url: "http://api.test",
      tokens,
      fetch: api.fetch,
      batch: false,
    });
    // A client call refused at the same moment: one refresh serves both.
    const [item, me] = await Promise.all([
      uploadMedia({ url: "http://api.test", tokens, fetch: api.fetch }, file()),
      client.auth.me.query().catch((e: unknown) => e),
    ]);
    expect(item).toEqual(ITEM);
    expect(lifelineErrorReason(me)).toBe("token_expired"); // auth.me is scripted to refuse twice
    expect(api.trpc.count("auth.refresh")).toBe(1);
    expect(api.uploads.map((u) => u.authorization)).toEqual([
      "Bearer old-access",
      "Bearer new-access",
    ]);
    expect(tokens.get()).toEqual({ accessToken: "new-access", refreshToken: "new-refresh" });
  });

  it("retries at most once", async () => {
    const api = fakeApi(() => restRefusal(401, "UNAUTHORIZED", "token_invalid"));
    const error = await uploadMedia(
      { url: "http://api.test", tokens: memoryTokenStore(OLD_PAIR), fetch: api.fetch },
      file(),
    ).catch((e: unknown) => e);
    expect(lifelineErrorReason(error)).toBe("token_invalid");
    expect(api.uploads).toHaveLength(2);
    expect(api.trpc.count("auth.refresh")).toBe(1);
  });

  it("an ended session clears the tokens and rejects with SessionExpiredError, without a refresh", async () => {
    const tokens = memoryTokenStore(OLD_PAIR);
    const api = fakeApi(() => restRefusal(401, "UNAUTHORIZED", "session_ended"));
    const error = await uploadMedia(
      { url: "http://api.test", tokens, fetch: api.fetch },
      file(),
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SessionExpiredError);
    expect(tokens.get()).toBeNull();
    expect(api.trpc.count("auth.refresh")).toBe(0);
  });

  it("rejects a refusal as a typed Lifeline error, with code, status, reason-less data and request id", async () => {
    const api = fakeApi(() => restRefusal(415, "UNSUPPORTED_MEDIA_TYPE"));
    const error = await uploadMedia(
      { url: "http://api.test", tokens: memoryTokenStore(OLD_PAIR), fetch: api.fetch },
      file(),
    ).catch((e: unknown) => e);
    expect(isLifelineError(error)).toBe(true);
    expect(lifelineErrorCode(error)).toBe("UNSUPPORTED_MEDIA_TYPE");
    expect(error).toMatchObject({
      message: "refused: UNSUPPORTED_MEDIA_TYPE",
      data: { code: "UNSUPPORTED_MEDIA_TYPE", httpStatus: 415, requestId: "req-9" },
    });
    expect(api.trpc.count("auth.refresh")).toBe(0);
  });

  it("does not refresh for a call sent without a token", async () => {
    const api = fakeApi(() => restRefusal(401, "UNAUTHORIZED", "token_invalid"));
    const error = await uploadMedia(
      { url: "http://api.test", tokens: memoryTokenStore(), fetch: api.fetch },
      file(),
    ).catch((e: unknown) => e);
    expect(lifelineErrorCode(error)).toBe("UNAUTHORIZED");
    expect(api.uploads[0]?.authorization).toBeNull();
    expect(api.trpc.count("auth.refresh")).toBe(0);
  });

  it("turns a network failure or an answer that is not the API's into a TRPCClientError without data", async () => {
    const offline: typeof globalThis.fetch = () => Promise.reject(new TypeError("fetch failed"));
    const error = await uploadMedia(
      { url: "http://api.test", tokens: memoryTokenStore(OLD_PAIR), fetch: offline },
      file(),
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TRPCClientError);
    expect(isLifelineError(error)).toBe(false);
    const proxy: typeof globalThis.fetch = () =>
      Promise.resolve(new Response("<html>Bad gateway</html>", { status: 502 }));
    const gateway = await uploadMedia(
      { url: "http://api.test", tokens: memoryTokenStore(OLD_PAIR), fetch: proxy },
      file(),
    ).catch((e: unknown) => e);
    expect(gateway).toBeInstanceOf(TRPCClientError);
    expect((gateway as Error).message).toBe("The upload failed with HTTP 502");
  });
});

/** Enough of XMLHttpRequest for the helper: answers 201 after two progress events. */
class FakeXhr {
  static last: FakeXhr | null = null;
  upload: {
    onprogress: ((e: { lengthComputable: boolean; loaded: number; total: number }) => void) | null;
    onload: (() => void) | null;
  } = {
    onprogress: null,
    onload: null,
  };
  onload: (() => void) | null = null;
  onerror: (() => void) | null = null;
  onabort: (() => void) | null = null;
  status = 0;
  responseText = "";
  headers: Record<string, string> = {};
  url = "";
  sent: FormData | null = null;
  constructor() {
    FakeXhr.last = this;
  }
  open(_method: string, url: string) {
    this.url = url;
  }
  setRequestHeader(name: string, value: string) {
    this.headers[name] = value;
  }
  send(body: FormData) {
    this.sent = body;
  }
  /** The server's side: progress, then the answer. */
  finish() {
    this.upload.onprogress?.({ lengthComputable: true, loaded: 50, total: 200 });
    this.upload.onprogress?.({ lengthComputable: true, loaded: 200, total: 200 });
    this.upload.onload?.();
    this.status = 201;
    this.responseText = JSON.stringify({ item: ITEM });
    this.onload?.();
  }
  abort() {
    this.onabort?.();
  }
}

describe("uploadMedia with XMLHttpRequest (browsers)", () => {
  afterEach(() => {
    vi.unstubAllGlobals();
    FakeXhr.last = null;
  });

  it("sends a FormData and reports progress from the upload events, scaled to the file", async () => {
    vi.stubGlobal("XMLHttpRequest", FakeXhr);
    const events: UploadProgress[] = [];
    const pending = uploadMedia(
      { url: "http://api.test", tokens: memoryTokenStore(OLD_PAIR) },
      file(),
      {
        onProgress: (progress) => events.push(progress),
      },
    );
    await vi.waitFor(() => expect(FakeXhr.last?.sent).not.toBeNull());
    const xhr = FakeXhr.last!;
    expect(xhr.url).toBe("http://api.test/api/media");
    expect(xhr.headers.authorization).toBe("Bearer old-access");
    expect(xhr.sent?.get("file")).toMatchObject({ name: "cat.png", size: 5 });
    xhr.finish();
    expect(await pending).toEqual(ITEM);
    expect(events).toEqual([
      { loaded: 1, total: 5 },
      { loaded: 5, total: 5 },
      { loaded: 5, total: 5 },
    ]);
  });

  it("aborts with the signal", async () => {
    vi.stubGlobal("XMLHttpRequest", FakeXhr);
    const controller = new AbortController();
    const pending = uploadMedia(
      { url: "http://api.test", tokens: memoryTokenStore(OLD_PAIR) },
      file(),
      {
        signal: controller.signal,
      },
    ).catch((e: unknown) => e);
    await vi.waitFor(() => expect(FakeXhr.last?.sent).not.toBeNull());
    controller.abort(new Error("user cancelled"));
    const error = await pending;
    expect(error).toBeInstanceOf(TRPCClientError);
    expect((error as TRPCClientError<never>).cause?.message).toBe("user cancelled");
  });
});
