import { createHash, randomBytes, randomUUID } from "node:crypto";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { Readable } from "node:stream";

import { thumbnailKey } from "@lifeline/core";
import { createLogger } from "@lifeline/logger";
import {
  localTestStore,
  s3TestStore,
  startS3Server,
  type S3TestServer,
  type TestStore,
} from "@lifeline/storage/testing";
import type { LightMyRequestResponse } from "fastify";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";

import { startTestServer, type TestServer } from "../src/testing";
import { LEAK, type RestError } from "./support/http";

/**
 * GET/HEAD /api/media/{id}/content and /thumbnail through the real HTTP stack, on both
 * storage drivers: streaming, Range (206, 416, ignored when malformed or multiple), ETag and
 * If-None-Match (304), If-Range, caching and safety headers, ownership (another user's id is
 * the same 404 as an unknown one), thumbnails not ready, a row whose blob is missing.
 */

const PASSWORD = "correct horse battery";
const sha256 = (bytes: Buffer) => createHash("sha256").update(bytes).digest("hex");

interface Item {
  id: string;
  sha: string;
  bytes: Buffer;
}

async function signIn(server: TestServer, label: string) {
  const email = `${label}-${randomUUID().slice(0, 8)}@example.com`;
  const user = await server.deps.db.user.create({
    data: {
      email,
      passwordHash: await server.deps.passwords.hash(PASSWORD),
      emailVerifiedAt: new Date(),
    },
  });
  const res = await server.app.inject({
    method: "POST",
    url: "/api/auth/login",
    payload: { email, password: PASSWORD },
  });
  expect(res.statusCode).toBe(200);
  return { userId: user.id, token: res.json<{ accessToken: string }>().accessToken };
}

/** Puts bytes through storage as ingest does (temp, then commit). */
async function putBlob(server: TestServer, bytes: Buffer): Promise<string> {
  const temp = await server.deps.storage.putTemp(Readable.from([bytes]), {
    maxBytes: bytes.length + 1,
  });
  await server.deps.storage.commit(temp.tempKey, temp.sha256, { expectedSize: bytes.length });
  return temp.sha256;
}

async function insertItem(
  server: TestServer,
  userId: string,
  bytes: Buffer,
  fields: {
    mime?: string;
    originalName?: string | null;
    thumbnail?: "none" | "pending" | "ready" | "failed";
    kind?: "image" | "video" | "document" | "post";
    status?: "pending" | "stored" | "failed";
    store?: boolean;
  } = {},
): Promise<Item> {
  const sha = fields.store === false ? sha256(bytes) : await putBlob(server, bytes);
  const kind = fields.kind ?? "image";
  const item = await server.deps.db.mediaItem.create({
    data: {
      userId,
      source: "upload",
      kind,
      status: fields.status ?? "stored",
      takenAt: new Date(),
      mime: kind === "post" ? null : (fields.mime ?? "image/jpeg"),
      sizeBytes: kind === "post" ? null : BigInt(bytes.length),
      sha256: kind === "post" ? null : sha,
      originalName: fields.originalName === undefined ? "photo.jpg" : fields.originalName,
      thumbnail: fields.thumbnail ?? "none",
    },
  });
  return { id: item.id, sha, bytes };
}

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
])("media bytes on the $driver storage driver", ({ store: makeStore }) => {
  let server: TestServer;
  let store: TestStore;
  let token: string;
  let userId: string;
  let photo: Item;
  let logDir: string;

  beforeAll(async () => {
    store = await makeStore();
    logDir = mkdtempSync(path.join(tmpdir(), "lifeline-media-content-"));
    server = await startTestServer({
      databaseUrl: inject("databaseUrl"),
      env: store.env,
      logger: createLogger({ name: "server", level: "info", logDir, console: false }),
    });
    ({ token, userId } = await signIn(server, "bytes"));
    // Over a megabyte and past several stream chunks; random, so compression would show.
    photo = await insertItem(server, userId, randomBytes(1_300_000 + 17));
  });
  afterAll(async () => {
    await server.close();
    await store.remove();
  });

  const get = (
    url: string,
    headers: Record<string, string> = {},
    method: "GET" | "HEAD" = "GET",
    as = token,
  ) =>
    server.app.inject({
      method,
      url,
      headers: { authorization: `Bearer ${as}`, "accept-encoding": "gzip, br", ...headers },
    });
  const content = (item: Item) => `/api/media/${item.id}/content`;

  function expectError(res: LightMyRequestResponse, status: number, code: string) {
    expect(res.statusCode).toBe(status);
    expect(res.headers["content-type"]).toMatch(/^application\/json/);
    expect(res.body).not.toMatch(LEAK);
    const body = res.json<RestError>();
    expect(body.error.code).toBe(code);
    expect(body.error.requestId).toBe(res.headers["x-request-id"]);
    // Error answers are never cached as if they were the bytes.
    expect(res.headers["cache-control"]).toBeUndefined();
    expect(res.headers.etag).toBeUndefined();
    return body.error;
  }

  describe("whole content", () => {
    it("streams every byte with its type, length, validator and caching headers", async () => {
      const res = await get(content(photo));
      expect(res.statusCode).toBe(200);
      expect(res.rawPayload.equals(photo.bytes)).toBe(true);
      expect(res.headers).toMatchObject({
        "content-type": "image/jpeg",
        "content-length": String(photo.bytes.length),
        "accept-ranges": "bytes",
        etag: `"${photo.sha}"`,
        "cache-control": "private, max-age=31536000, immutable",
        "x-content-type-options": "nosniff",
        "content-disposition": `inline; filename="photo.jpg"; filename*=UTF-8''photo.jpg`,
      });
      // Served as stored: never re-encoded on the way (that would also break ranges).
      expect(res.headers["content-encoding"]).toBeUndefined();
    });

    it("HEAD gives the same headers and no body", async () => {
      const res = await get(content(photo), {}, "HEAD");
      expect(res.statusCode).toBe(200);
      expect(res.rawPayload.length).toBe(0);
      expect(res.headers["content-length"]).toBe(String(photo.bytes.length));
      expect(res.headers.etag).toBe(`"${photo.sha}"`);
    });

    it("names any file safely: the exact name in filename*, an ASCII stand-in in filename", async () => {
      const names: [string, string][] = [
        [
          'Café "déjà vu";\\../x.pdf',
          `inline; filename="Caf_ _d_j_ vu___.._x.pdf"; filename*=UTF-8''Caf%C3%A9%20%22d%C3%A9j%C3%A0%20vu%22%3B%5C..%2Fx.pdf`,
        ],
        [
          "evil\r\nSet-Cookie: a=b.png",
          `inline; filename="evilSet-Cookie: a=b.png"; filename*=UTF-8''evilSet-Cookie%3A%20a%3Db.png`,
        ],
        [
          "it's (1)*.jpg",
          `inline; filename="it's (1)*.jpg"; filename*=UTF-8''it%27s%20%281%29%2A.jpg`,
        ],
      ];
      for (const [name, expected] of names) {
        const item = await insertItem(server, userId, randomBytes(32), { originalName: name });
        const res = await get(content(item));
        expect(res.statusCode, name).toBe(200);
        expect(res.headers["content-disposition"], name).toBe(expected);
      }
      const nameless = await insertItem(server, userId, randomBytes(32), { originalName: null });
      expect((await get(content(nameless))).headers["content-disposition"]).toBe("inline");
    });

    it("sends the type found in the bytes (a PDF as application/pdf)", async () => {
      const pdf = await insertItem(server, userId, Buffer.from("%PDF-1.7\n%…"), {
        kind: "document",
        mime: "application/pdf",
        originalName: "scan.pdf",
      });
      const res = await get(content(pdf));
      expect(res.headers["content-type"]).toBe("application/pdf");
      expect(res.headers["x-content-type-options"]).toBe("nosniff");
    });
  });

  describe("Range", () => {
    const size = () => photo.bytes.length;

    const partial = async (range: string, start: number, end: number) => {
      const res = await get(content(photo), { range });
      expect(res.statusCode, range).toBe(206);
      expect(res.headers["content-range"], range).toBe(`bytes ${start}-${end}/${size()}`);
      expect(res.headers["content-length"], range).toBe(String(end - start + 1));
      expect(res.headers.etag).toBe(`"${photo.sha}"`);
      expect(res.rawPayload.equals(photo.bytes.subarray(start, end + 1)), range).toBe(true);
    };

    it("the first byte: bytes=0-0", () => partial("bytes=0-0", 0, 0));
    it("a middle range: bytes=1000-70000", () => partial("bytes=1000-70000", 1000, 70000));
    it("the last n bytes: bytes=-500", () => partial("bytes=-500", size() - 500, size() - 1));
    it("a suffix longer than the content is the whole content", () =>
      partial(`bytes=-${size() + 10}`, 0, size() - 1));
    it("from an offset to the end: bytes=1200000-", () =>
      partial("bytes=1200000-", 1200000, size() - 1));
    it("an end past the last byte is cut to it", () =>
      partial(`bytes=5-${size() + 1000}`, 5, size() - 1));
    it("the last byte exactly", () => partial(`bytes=${size() - 1}-`, size() - 1, size() - 1));

    it("a range starting at or past the end is 416 with Content-Range: bytes */size", async () => {
      for (const range of [`bytes=${size()}-`, `bytes=${size() + 5}-${size() + 9}`, "bytes=-0"]) {
        const res = await get(content(photo), { range });
        const error = expectError(res, 416, "RANGE_NOT_SATISFIABLE");
        expect(res.headers["content-range"], range).toBe(`bytes */${size()}`);
        expect(error.message).toContain(String(size()));
      }
    });

    it("a malformed Range is ignored (RFC 9110): 200 with the whole content", async () => {
      for (const range of [
        "bytes=abc",
        "bytes=5-2",
        "items=0-1",
        "bytes=",
        "bytes=--1",
        "bytes 0-1",
      ]) {
        const res = await get(content(photo), { range });
        expect(res.statusCode, range).toBe(200);
        expect(res.headers["content-range"], range).toBeUndefined();
        expect(res.rawPayload.length, range).toBe(size());
      }
    });

    it("several ranges are answered with the whole content (200), not multipart", async () => {
      const res = await get(content(photo), { range: "bytes=0-1,10-20" });
      expect(res.statusCode).toBe(200);
      expect(res.headers["content-type"]).toBe("image/jpeg");
      expect(res.rawPayload.equals(photo.bytes)).toBe(true);
    });

    it("If-Range with the current ETag applies the range; with another validator, 200 whole", async () => {
      const current = await get(content(photo), {
        range: "bytes=0-9",
        "if-range": `"${photo.sha}"`,
      });
      expect(current.statusCode).toBe(206);
      const stale = await get(content(photo), { range: "bytes=0-9", "if-range": '"0000"' });
      expect(stale.statusCode).toBe(200);
      expect(stale.rawPayload.length).toBe(size());
      const weak = await get(content(photo), {
        range: "bytes=0-9",
        "if-range": `W/"${photo.sha}"`,
      });
      expect(weak.statusCode).toBe(200);
    });

    it("HEAD with a Range gives the 206 headers alone", async () => {
      const res = await get(content(photo), { range: "bytes=10-19" }, "HEAD");
      expect(res.statusCode).toBe(206);
      expect(res.headers["content-range"]).toBe(`bytes 10-19/${size()}`);
      expect(res.rawPayload.length).toBe(0);
    });
  });

  describe("conditional requests", () => {
    it("If-None-Match with the ETag (or in a list, weak, or *) is 304 without a body", async () => {
      for (const tag of [`"${photo.sha}"`, `"nope", "${photo.sha}"`, `W/"${photo.sha}"`, "*"]) {
        const res = await get(content(photo), { "if-none-match": tag, range: "bytes=0-1" });
        expect(res.statusCode, tag).toBe(304);
        expect(res.rawPayload.length, tag).toBe(0);
        expect(res.headers.etag).toBe(`"${photo.sha}"`);
        expect(res.headers["cache-control"]).toBe("private, max-age=31536000, immutable");
      }
    });

    it("another tag is a full answer", async () => {
      const res = await get(content(photo), { "if-none-match": '"something-else"' });
      expect(res.statusCode).toBe(200);
      expect(res.rawPayload.length).toBe(photo.bytes.length);
    });
  });

  describe("thumbnails", () => {
    it("streams a ready thumbnail as image/webp with a tag of its own, ranges included", async () => {
      const item = await insertItem(server, userId, randomBytes(64), {
        thumbnail: "ready",
        originalName: "beach.jpeg",
      });
      const webp = randomBytes(3000);
      await server.deps.storage.putObject(thumbnailKey(item.sha), Readable.from([webp]), {
        maxBytes: 1 << 20,
      });
      const url = `/api/media/${item.id}/thumbnail`;
      const res = await get(url);
      expect(res.statusCode).toBe(200);
      expect(res.rawPayload.equals(webp)).toBe(true);
      expect(res.headers).toMatchObject({
        "content-type": "image/webp",
        "content-length": "3000",
        etag: `"${item.sha}.thumb"`,
        "cache-control": "private, max-age=86400",
        "x-content-type-options": "nosniff",
        "content-disposition": `inline; filename="beach.thumbnail.webp"; filename*=UTF-8''beach.thumbnail.webp`,
      });
      const ranged = await get(url, { range: "bytes=-100" });
      expect(ranged.statusCode).toBe(206);
      expect(ranged.headers["content-range"]).toBe("bytes 2900-2999/3000");
      expect(ranged.rawPayload.equals(webp.subarray(2900))).toBe(true);
      expect((await get(url, { range: "bytes=3000-" })).statusCode).toBe(416);
      expect((await get(url, { "if-none-match": `"${item.sha}.thumb"` })).statusCode).toBe(304);
      // The content's own tag is not the thumbnail's.
      expect((await get(url, { "if-none-match": `"${item.sha}"` })).statusCode).toBe(200);
    });

    it("a thumbnail that is not ready is a 404 that says so", async () => {
      const messages: Record<string, RegExp> = {
        pending: /not ready yet/,
        failed: /could not be made/,
        none: /no thumbnail/,
      };
      for (const [status, message] of Object.entries(messages)) {
        const item = await insertItem(server, userId, randomBytes(16), {
          thumbnail: status as "pending",
        });
        const error = expectError(await get(`/api/media/${item.id}/thumbnail`), 404, "NOT_FOUND");
        expect(error.message, status).toMatch(message);
      }
    });
  });

  describe("whose bytes", () => {
    it("another user's id is the same 404 as an unknown id, for content and thumbnail, GET and HEAD", async () => {
      const other = await signIn(server, "other");
      const theirs = await insertItem(server, other.userId, randomBytes(100), {
        thumbnail: "ready",
      });
      for (const variant of ["content", "thumbnail"]) {
        const stolen = await get(`/api/media/${theirs.id}/${variant}`);
        const unknown = await get(`/api/media/${randomUUID()}/${variant}`);
        const a = expectError(stolen, 404, "NOT_FOUND");
        const b = expectError(unknown, 404, "NOT_FOUND");
        expect(a.message).toBe(b.message);
        expect(stolen.body.length).toBe(unknown.body.length);
        expect((await get(`/api/media/${theirs.id}/${variant}`, {}, "HEAD")).statusCode).toBe(404);
      }
      // Its owner gets it.
      const mine = await get(`/api/media/${theirs.id}/content`, {}, "GET", other.token);
      expect(mine.statusCode).toBe(200);
    });

    it("needs a bearer token, like a protected procedure", async () => {
      const res = await server.app.inject({ method: "GET", url: content(photo) });
      const error = expectError(res, 401, "UNAUTHORIZED");
      expect(error.reason).toBe("token_invalid");
    });

    it("an id that is not a UUID is a 400 naming it", async () => {
      const res = await get("/api/media/not-a-uuid/content");
      expectError(res, 400, "BAD_REQUEST");
      expect(res.json<{ error: { details: unknown } }>().error.details).toEqual([
        { path: "id", message: "must be a UUID" },
      ]);
    });

    it("an item without bytes (a post, an import not stored yet) is a 404 that says why", async () => {
      const post = await insertItem(server, userId, Buffer.alloc(0), {
        kind: "post",
        store: false,
      });
      expect(expectError(await get(content(post)), 404, "NOT_FOUND").message).toMatch(/post/);
      const pending = await insertItem(server, userId, randomBytes(10), {
        status: "pending",
        store: false,
      });
      expect(expectError(await get(content(pending)), 404, "NOT_FOUND").message).toMatch(
        /not stored yet/,
      );
    });

    it("a row whose blob is missing is a logged 500, not a crash (and the server keeps serving)", async () => {
      const ghost = await insertItem(server, userId, randomBytes(50), { store: false });
      const res = await get(content(ghost));
      const error = expectError(res, 500, "INTERNAL_SERVER_ERROR");
      expect(error.message).toBe("Internal server error");
      expect((await get(content(photo))).statusCode).toBe(200);
      await new Promise((resolve) => setTimeout(resolve, 200));
      const log = readFileSync(path.join(logDir, "error.log"), "utf8");
      expect(log).toContain("media item points at missing bytes");
      expect(log).toContain(ghost.id);
    });
  });
});
