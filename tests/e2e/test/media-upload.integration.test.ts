// The client's upload helper against the real server: progress, the item media.get returns,
// the same bytes twice, a refused file as a typed error, renewal of an expired token.
import {
  createLifelineClient,
  isLifelineError,
  lifelineErrorCode,
  memoryTokenStore,
  SessionExpiredError,
  uploadMedia,
  type UploadProgress,
} from "@lifeline/client";
import { jpeg, png } from "@lifeline/core/testing";
import type { TestServer } from "@lifeline/server/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { PASSWORD, recordingFetch, startServer, uniqueEmail } from "./support/server";

let server: TestServer;
beforeAll(async () => {
  server = await startServer({ MEDIA_MAX_BYTES: String(1024 * 1024) });
});
afterAll(() => server.close());

async function signedIn() {
  const tokens = memoryTokenStore();
  const recorder = recordingFetch();
  const client = createLifelineClient({ url: server.url, tokens, fetch: recorder.fetch });
  const email = uniqueEmail();
  await client.auth.register.mutate({ email, password: PASSWORD });
  await client.auth.login.mutate({ email, password: PASSWORD });
  recorder.reset();
  return { client, tokens, recorder };
}

/** A Uint8Array copy: Blob parts must not be Node Buffers' shared pools. */
const bytesOf = (buffer: Buffer) => new Uint8Array(buffer);

describe("uploadMedia against the server", () => {
  it("uploads a JPEG with progress and returns the item media.get returns, EXIF taken-at included", async () => {
    const { client, tokens } = await signedIn();
    // Past the first 64 KiB, so the body goes out in several chunks and progress moves.
    const photo = Buffer.concat([
      jpeg({
        width: 32,
        height: 16,
        exif: { dateTimeOriginal: "2020:02:29 08:00:00", offsetTimeOriginal: "-03:00" },
      }),
      Buffer.alloc(300_000, 7),
    ]);
    const events: UploadProgress[] = [];
    const item = await uploadMedia(
      { url: server.url, tokens },
      new File([bytesOf(photo)], "leap-day.jpg", { type: "image/jpeg" }),
      { onProgress: (progress) => events.push(progress) },
    );
    expect(item).toMatchObject({
      kind: "image",
      mime: "image/jpeg",
      takenAt: "2020-02-29T11:00:00.000Z",
      sizeBytes: photo.length,
      originalName: "leap-day.jpg",
      width: 32,
      height: 16,
      thumbnail: "pending",
    });
    expect(await client.media.get.query({ id: item.id })).toEqual({ item });
    expect(events.length).toBeGreaterThan(2);
    expect(events.at(-1)).toEqual({ loaded: photo.length, total: photo.length });
  });

  it("gives the same item for the same bytes, through the tRPC URL too (FormData without progress)", async () => {
    const { tokens } = await signedIn();
    const image = bytesOf(png({ seed: 77 }));
    const first = await uploadMedia(
      { url: server.url, tokens },
      new Blob([image], { type: "image/png" }),
    );
    const again = await uploadMedia({ url: `${server.url}/trpc`, tokens }, new Blob([image]), {
      name: "again.png",
    });
    expect(again).toEqual(first);
    expect(first.originalName).toBe("blob");
  });

  it("rejects a PNG named .mp4 with a typed 415 that names both", async () => {
    const { tokens } = await signedIn();
    const error = await uploadMedia(
      { url: server.url, tokens },
      new Blob([bytesOf(png({ seed: 78 }))]),
      {
        name: "clip.mp4",
      },
    ).catch((e: unknown) => e);
    expect(isLifelineError(error)).toBe(true);
    expect(lifelineErrorCode(error)).toBe("UNSUPPORTED_MEDIA_TYPE");
    expect((error as Error).message).toContain("PNG image");
    expect((error as Error).message).toContain(".mp4");
  });

  it("renews an invalid access token once through auth.refresh, then uploads", async () => {
    const { tokens, recorder } = await signedIn();
    const { refreshToken } = tokens.get()!;
    tokens.set({ accessToken: "not-a-jwt", refreshToken });
    const item = await uploadMedia(
      { url: server.url, tokens, fetch: recorder.fetch },
      new Blob([bytesOf(png({ seed: 79 }))], { type: "image/png" }),
      { name: "after-refresh.png", onProgress: () => undefined },
    );
    expect(item.originalName).toBe("after-refresh.png");
    expect(recorder.requestsFor("auth.refresh")).toBe(1);
    expect(recorder.requestsFor("/api/media")).toBe(2);
    expect(tokens.get()?.refreshToken).not.toBe(refreshToken);
  });

  it("a session ended elsewhere rejects with SessionExpiredError and clears the tokens", async () => {
    const { client, tokens } = await signedIn();
    const signedOut = memoryTokenStore(tokens.get());
    await client.auth.logoutAll.mutate();
    const error = await uploadMedia(
      { url: server.url, tokens: signedOut },
      new Blob([bytesOf(png({ seed: 80 }))]),
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SessionExpiredError);
    expect(signedOut.get()).toBeNull();
  });
});
