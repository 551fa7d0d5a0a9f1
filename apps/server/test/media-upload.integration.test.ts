import { createHash } from "node:crypto";

import { thumbnailJobId } from "@lifeline/core";
import { jpeg, mp4, png } from "@lifeline/core/testing";
import {
  localTestStore,
  s3TestStore,
  startS3Server,
  type S3TestServer,
  type TestStore,
} from "@lifeline/storage/testing";
import type { LightMyRequestResponse } from "fastify";
import { afterAll, beforeAll, describe, expect, inject, it, vi } from "vitest";

import { startTestServer, type TestServer } from "../src/testing";
import type { RestError } from "./support/http";
import {
  fileForm,
  multipartBody,
  partialUpload,
  postMedia,
  signUp,
  type UploadedItem,
} from "./support/media";

/** Small, so "one byte over" is cheap; every file below is far smaller. */
const MAX_BYTES = 64 * 1024;
const sha256 = (bytes: Buffer) => createHash("sha256").update(bytes).digest("hex");
const blobKeyOf = (hash: string) => `blobs/${hash.slice(0, 2)}/${hash.slice(2, 4)}/${hash}`;

let s3: S3TestServer | null = null;
beforeAll(async () => {
  s3 = await startS3Server();
});
afterAll(async () => {
  await s3?.stop();
});

describe.each([
  { driver: "local", store: () => localTestStore() },
  { driver: "s3", store: () => s3TestStore(s3!) },
])("POST /api/media on the $driver storage driver", ({ store: makeStore }) => {
  let server: TestServer;
  let store: TestStore;
  let token: string;
  let userId: string;

  beforeAll(async () => {
    store = await makeStore();
    server = await startTestServer({
      databaseUrl: inject("databaseUrl"),
      env: { ...store.env, MEDIA_MAX_BYTES: String(MAX_BYTES) },
      listen: true,
    });
    ({ accessToken: token, userId } = await signUp(server));
  });
  afterAll(async () => {
    await server.close();
    await store.remove();
  });

  const rows = () => server.deps.db.mediaItem.count({ where: { userId } });

  /** What storage and the database hold now; a refusal must leave exactly this. */
  async function snapshot() {
    return { keys: await store.rawKeys(), rows: await rows() };
  }
  async function expectUnchanged(before: { keys: string[]; rows: number }) {
    const after = await snapshot();
    expect(after.keys.filter((key) => key.startsWith("tmp/"))).toEqual([]);
    expect(after).toEqual(before);
  }
  /** The refusal's standard body, with its status. */
  function refusal(res: LightMyRequestResponse, status: number, code: string) {
    expect(res.statusCode).toBe(status);
    const body = res.json<RestError>();
    expect(body.error.code).toBe(code);
    return body.error;
  }

  it("stores a JPEG with its EXIF DateTimeOriginal (and offset) as takenAt, dimensions, a pending thumbnail", async () => {
    const bytes = jpeg({
      width: 40,
      height: 24,
      exif: { dateTimeOriginal: "2019:07:14 15:30:00", offsetTimeOriginal: "+02:00" },
    });
    const res = await postMedia(server, token, fileForm(bytes, "holiday.jpg", "image/jpeg"));
    expect(res.statusCode).toBe(201);
    const { item } = res.json<{ item: UploadedItem }>();
    expect(item).toMatchObject({
      source: "upload",
      kind: "image",
      status: "stored",
      takenAt: "2019-07-14T13:30:00.000Z",
      mime: "image/jpeg",
      sizeBytes: bytes.length,
      sha256: sha256(bytes),
      originalName: "holiday.jpg",
      width: 40,
      height: 24,
      durationMs: null,
      thumbnail: "pending",
      contentUrl: `/api/media/${item.id}/content`,
    });
    expect(await store.rawKeys()).toContain(blobKeyOf(sha256(bytes)));
    const job = await server.deps.jobs.queue("media").getJob(thumbnailJobId(item.id));
    expect(job?.data).toEqual({ mediaItemId: item.id });
  });

  it("gives a PNG without EXIF the upload time as takenAt", async () => {
    const before = Date.now();
    const res = await postMedia(
      server,
      token,
      fileForm(png({ seed: 1 }), "screen.png", "image/png"),
    );
    const after = Date.now();
    expect(res.statusCode).toBe(201);
    const { item } = res.json<{ item: UploadedItem }>();
    expect(Date.parse(item.takenAt)).toBeGreaterThanOrEqual(before);
    expect(Date.parse(item.takenAt)).toBeLessThanOrEqual(after);
    expect(item).toMatchObject({ kind: "image", mime: "image/png", width: 4, height: 3 });
  });

  it("ignores an EXIF date in the future", async () => {
    const bytes = jpeg({ exif: { dateTimeOriginal: "2099:01:01 00:00:00" } });
    const before = Date.now();
    const res = await postMedia(server, token, fileForm(bytes, "future.jpg"));
    expect(res.statusCode).toBe(201);
    expect(Date.parse(res.json<{ item: UploadedItem }>().item.takenAt)).toBeGreaterThanOrEqual(
      before,
    );
  });

  it("stores a video with its duration and creation time from a leading moov, and no thumbnail", async () => {
    const bytes = mp4({ durationMs: 3250, createdAt: new Date("2021-05-01T10:00:00Z") });
    const res = await postMedia(server, token, fileForm(bytes, "clip.mp4", "video/mp4"));
    expect(res.statusCode).toBe(201);
    expect(res.json<{ item: UploadedItem }>().item).toMatchObject({
      kind: "video",
      mime: "video/mp4",
      durationMs: 3250,
      takenAt: "2021-05-01T10:00:00.000Z",
      thumbnail: "none",
    });
  });

  it("gives the same bytes uploaded twice by one user one item: 201, then 200 with it", async () => {
    const bytes = png({ seed: 2 });
    const first = await postMedia(server, token, fileForm(bytes, "a.png"));
    const state = await snapshot();
    const second = await postMedia(server, token, fileForm(bytes, "renamed.png"));
    expect(first.statusCode).toBe(201);
    expect(second.statusCode).toBe(200);
    expect(second.json<{ item: UploadedItem }>().item).toEqual(
      first.json<{ item: UploadedItem }>().item,
    );
    await expectUnchanged(state);
    expect((await store.rawKeys()).filter((key) => key === blobKeyOf(sha256(bytes)))).toHaveLength(
      1,
    );
  });

  it("gives another user their own item for the same bytes, sharing the blob", async () => {
    const bytes = png({ seed: 3 });
    const mine = await postMedia(server, token, fileForm(bytes, "a.png"));
    const other = await signUp(server, "other");
    const theirs = await postMedia(server, other.accessToken, fileForm(bytes, "b.png"));
    expect(mine.statusCode).toBe(201);
    expect(theirs.statusCode).toBe(201);
    expect(theirs.json<{ item: UploadedItem }>().item.id).not.toBe(
      mine.json<{ item: UploadedItem }>().item.id,
    );
    expect(
      await server.deps.db.mediaItem.count({
        where: { sha256: sha256(bytes), userId: { in: [userId, other.userId] } },
      }),
    ).toBe(2);
    expect((await store.rawKeys()).filter((key) => key.endsWith(sha256(bytes)))).toHaveLength(1);
  });

  it("takes the type from the bytes: a PNG named .jpg, or declared application/octet-stream, is a PNG", async () => {
    const named = await postMedia(
      server,
      token,
      fileForm(png({ seed: 4 }), "photo.jpg", "image/jpeg"),
    );
    expect(named.statusCode).toBe(201);
    expect(named.json<{ item: UploadedItem }>().item.mime).toBe("image/png");
    const generic = await postMedia(server, token, fileForm(png({ seed: 5 }), "no-extension"));
    expect(generic.statusCode).toBe(201);
  });

  it("accepts a file of exactly MEDIA_MAX_BYTES", async () => {
    const head = png({ seed: 6 });
    const bytes = Buffer.concat([head, Buffer.alloc(MAX_BYTES - head.length, 1)]);
    const res = await postMedia(server, token, fileForm(bytes, "big.png"));
    expect(res.statusCode).toBe(201);
    expect(res.json<{ item: UploadedItem }>().item.sizeBytes).toBe(MAX_BYTES);
  });

  describe("refusals leave no blob, no temp and no row", () => {
    it("a PNG renamed .mp4: 415 naming both", async () => {
      const state = await snapshot();
      const res = await postMedia(server, token, fileForm(png({ seed: 10 }), "clip.mp4"));
      const error = refusal(res, 415, "UNSUPPORTED_MEDIA_TYPE");
      expect(error.message).toContain("PNG image");
      expect(error.message).toContain('".mp4"');
      await expectUnchanged(state);
    });

    it("a PNG declared video/mp4: 415 naming both", async () => {
      const state = await snapshot();
      const res = await postMedia(server, token, fileForm(png({ seed: 11 }), "clip", "video/mp4"));
      const error = refusal(res, 415, "UNSUPPORTED_MEDIA_TYPE");
      expect(error.message).toContain("PNG image");
      expect(error.message).toContain("video/mp4");
      await expectUnchanged(state);
    });

    it("bytes of no accepted type: 415 saying what it is not", async () => {
      const state = await snapshot();
      const text = await postMedia(
        server,
        token,
        fileForm(Buffer.from("just some words\n"), "notes"),
      );
      expect(refusal(text, 415, "UNSUPPORTED_MEDIA_TYPE").message).toMatch(
        /not of a type the media library accepts/,
      );
      const zip = Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), Buffer.alloc(100)]);
      const archive = await postMedia(server, token, fileForm(zip, "photos"));
      expect(refusal(archive, 415, "UNSUPPORTED_MEDIA_TYPE").message).toContain("application/zip");
      await expectUnchanged(state);
    });

    it("an empty file: 400", async () => {
      const state = await snapshot();
      const res = await postMedia(server, token, fileForm(Buffer.alloc(0), "empty.jpg"));
      expect(refusal(res, 400, "BAD_REQUEST").message).toBe("The file is empty");
      await expectUnchanged(state);
    });

    it("one byte over MEDIA_MAX_BYTES: 413 in the standard shape", async () => {
      const state = await snapshot();
      const head = png({ seed: 12 });
      const bytes = Buffer.concat([head, Buffer.alloc(MAX_BYTES + 1 - head.length, 1)]);
      const res = await postMedia(server, token, fileForm(bytes, "big.png"));
      const error = refusal(res, 413, "PAYLOAD_TOO_LARGE");
      expect(error.message).toBe(`The file is larger than the limit of ${MAX_BYTES} bytes`);
      expect(error.requestId).toBe(res.headers["x-request-id"]);
      await expectUnchanged(state);
    });

    it("a form without its closing boundary: 400", async () => {
      const state = await snapshot();
      const { body, contentType } = multipartBody(
        [{ name: "file", filename: "a.png", type: "image/png", data: png({ seed: 13 }) }],
        { close: false },
      );
      // The file's part is complete (its delimiter follows), only the final `--` is missing.
      const boundary = contentType.split("boundary=")[1] ?? "";
      const res = await postMedia(server, token, {
        body: Buffer.concat([body, Buffer.from(`--${boundary}\r\n`)]),
        contentType,
      });
      refusal(res, 400, "BAD_REQUEST");
      await expectUnchanged(state);
    });

    it("a form that stops in the middle of the file: 400", async () => {
      const state = await snapshot();
      const { body, contentType } = fileForm(png({ seed: 14, width: 64, height: 64 }), "a.png");
      const res = await postMedia(server, token, {
        body: body.subarray(0, body.length - 300),
        contentType,
      });
      refusal(res, 400, "BAD_REQUEST");
      await expectUnchanged(state);
    });

    it("a client that goes away mid-file: the partial temp is removed", async () => {
      const state = await snapshot();
      const putTemp = vi.spyOn(server.deps.storage, "putTemp");
      try {
        const { body, contentType } = fileForm(
          Buffer.concat([png({ seed: 15 }), Buffer.alloc(40_000, 2)]),
          "a.png",
        );
        const upload = await partialUpload(
          server.url,
          token,
          contentType,
          body.length,
          body.subarray(0, 20_000),
        );
        await vi.waitFor(() => expect(putTemp).toHaveBeenCalledTimes(1));
        upload.close();
        await expect(putTemp.mock.results[0]?.value).rejects.toThrow();
      } finally {
        putTemp.mockRestore();
      }
      await vi.waitFor(async () => expectUnchanged(state));
    });

    it("a request that is not multipart: 415 before its body is read", async () => {
      const state = await snapshot();
      const json = await postMedia(server, token, {
        body: '{"file":"x"}',
        contentType: "application/json",
      });
      expect(refusal(json, 415, "UNSUPPORTED_MEDIA_TYPE").message).toContain("multipart/form-data");
      const raw = await postMedia(server, token, {
        body: png({ seed: 16 }),
        contentType: "image/png",
      });
      refusal(raw, 415, "UNSUPPORTED_MEDIA_TYPE");
      await expectUnchanged(state);
    });

    it("a form without a file part, or with the file under another name: 400", async () => {
      const state = await snapshot();
      const fieldsOnly = await postMedia(
        server,
        token,
        multipartBody([{ name: "caption", data: "hello" }]),
      );
      expect(refusal(fieldsOnly, 400, "BAD_REQUEST").message).toContain("part named `file`");
      const misnamed = await postMedia(
        server,
        token,
        multipartBody([
          { name: "photo", filename: "a.png", type: "image/png", data: png({ seed: 17 }) },
        ]),
      );
      expect(refusal(misnamed, 400, "BAD_REQUEST").message).toContain("part named `file`");
      const malformed = await postMedia(server, token, {
        body: "x",
        contentType: "multipart/form-data",
      });
      refusal(malformed, 400, "BAD_REQUEST");
      await expectUnchanged(state);
    });

    it("two files in one form: 400", async () => {
      const state = await snapshot();
      const res = await postMedia(
        server,
        token,
        multipartBody([
          { name: "file", filename: "a.png", type: "image/png", data: png({ seed: 18 }) },
          { name: "file", filename: "b.png", type: "image/png", data: png({ seed: 19 }) },
        ]),
      );
      expect(refusal(res, 400, "BAD_REQUEST").message).toBe("Send one file per upload");
      await expectUnchanged(state);
    });

    it("no token, or a bad one: 401 with the reason", async () => {
      const state = await snapshot();
      const form = fileForm(png({ seed: 20 }), "a.png");
      const anonymous = refusal(await postMedia(server, null, form), 401, "UNAUTHORIZED");
      expect(anonymous.message).toBeTruthy();
      const bad = refusal(await postMedia(server, "not.a.token", form), 401, "UNAUTHORIZED");
      expect(bad.reason).toBe("token_invalid");
      await expectUnchanged(state);
    });
  });
});
