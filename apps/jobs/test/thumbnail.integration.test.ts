import { randomBytes, randomUUID } from "node:crypto";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import { crc32 } from "node:zlib";

import {
  makeThumbnail,
  thumbnailKey,
  THUMBNAIL_SIZE,
  type ThumbnailDeps,
} from "@lifeline/core/thumbnails";
import { createDb, type Db } from "@lifeline/db";
import { makeThumbnailJob } from "@lifeline/queue";
import type { BlobStorage } from "@lifeline/storage";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";

import { mediaWorker } from "../src/workers/media.worker";
import { startTestJobsApp, type TestJobsApp } from "./support/app";
import { testEnv } from "./support/env";
import { waitFor } from "./support/wait";

const db: Db = createDb(inject("databaseUrl"), { maxConnections: 4 });
const mediaDir = mkdtempSync(path.join(tmpdir(), "lifeline-thumbnails-"));
let running: TestJobsApp;
let storage: BlobStorage;

beforeAll(async () => {
  running = await startTestJobsApp({
    env: testEnv({ MEDIA_DIR: mediaDir }),
    workers: [mediaWorker(2)],
  });
  storage = running.app.dependencies.deps.storage;
});
afterAll(async () => {
  await running.stop();
  await db.$disconnect();
  rmSync(mediaDir, { recursive: true, force: true });
});

// --- images, made here with sharp --------------------------------------------------------

/** A photo-like JPEG (noise, so every call's bytes differ), optionally with an EXIF orientation. */
async function jpeg(width: number, height: number, orientation?: number): Promise<Buffer> {
  const pixels = randomBytes(width * height * 3);
  const image = sharp(pixels, { raw: { width, height, channels: 3 } }).jpeg({ quality: 80 });
  return (orientation ? image.withMetadata({ orientation }) : image).toBuffer();
}

/** A real, tiny PNG whose header then claims `width`×`height` (CRC fixed): a decompression bomb. */
async function pngClaiming(width: number, height: number): Promise<Buffer> {
  const png = Buffer.from(
    await sharp({ create: { width: 8, height: 8, channels: 3, background: "#08f" } })
      .png()
      .toBuffer(),
  );
  // Signature (8) + IHDR length (4), then "IHDR", width, height …, and the chunk's CRC at 29.
  png.writeUInt32BE(width, 16);
  png.writeUInt32BE(height, 20);
  png.writeUInt32BE(crc32(png.subarray(12, 29)), 29);
  return png;
}

// --- rows and blobs ------------------------------------------------------------------------

async function newUser(): Promise<string> {
  const user = await db.user.create({
    data: { email: `thumbs-${randomUUID()}@example.com`, passwordHash: "x".repeat(60) },
  });
  return user.id;
}

async function storeBlob(bytes: Buffer): Promise<string> {
  const temp = await storage.putTemp(Readable.from([bytes]), { maxBytes: bytes.length });
  await storage.commit(temp.tempKey, temp.sha256);
  return temp.sha256;
}

/** An uploaded image as ingest leaves it: stored, thumbnail pending, dimensions unknown. */
async function imageItem(bytes: Buffer, options: { userId?: string; mime?: string } = {}) {
  const sha256 = await storeBlob(bytes);
  return db.mediaItem.create({
    data: {
      userId: options.userId ?? (await newUser()),
      source: "upload",
      kind: "image",
      takenAt: new Date(),
      mime: options.mime ?? "image/jpeg",
      sizeBytes: BigInt(bytes.length),
      sha256,
      uploadSha256: sha256,
      thumbnail: "pending",
    },
  });
}

async function thumbnailOf(sha256: string): Promise<Buffer | null> {
  const read = await storage.getObject(thumbnailKey(sha256));
  if (!read) return null;
  const chunks: Buffer[] = [];
  for await (const chunk of read.body) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Enqueues the job as the upload does and waits until BullMQ has settled it. */
async function runJob(mediaItemId: string) {
  const { jobs } = running.app.dependencies.deps;
  const id = await jobs.enqueue(makeThumbnailJob, { mediaItemId });
  const queue = jobs.queue("media");
  const state = await waitFor("the thumbnail job to finish", async () => {
    const now = await (await queue.getJob(id))?.getState();
    return now === "completed" || now === "failed" ? now : null;
  });
  // Fetched after it settled, so its return value and attempts are final.
  const job = await queue.getJob(id);
  if (!job) throw new Error(`job ${id} vanished`);
  return { job, state };
}

/** The app's own deps, with its real timeline cache watched: which users were invalidated. */
function coreDeps(overrides: Partial<ThumbnailDeps> = {}): ThumbnailDeps & { changed: string[] } {
  const { timeline } = running.app.dependencies.deps;
  const changed: string[] = [];
  return {
    db,
    storage,
    timeline: {
      read: (userId, key, load) => timeline.read(userId, key, load),
      invalidate: async (userId) => {
        changed.push(userId);
        await timeline.invalidate(userId);
      },
    },
    changed,
    ...overrides,
  };
}

/** A storage member, methods bound to the real driver (its private fields need the real `this`). */
function bound(target: BlobStorage, property: string | symbol): unknown {
  const value = Reflect.get(target, property) as unknown;
  return typeof value === "function" ? (value as (...a: unknown[]) => unknown).bind(target) : value;
}

// --- through the worker ----------------------------------------------------------------------

describe("makeThumbnailJob in the jobs app", () => {
  it("gives a JPEG a WebP thumbnail inside 320×320 and records its dimensions", async () => {
    const item = await imageItem(await jpeg(1200, 800));
    const { state, job } = await runJob(item.id);
    expect(state).toBe("completed");
    expect(job.returnvalue).toMatchObject({ outcome: "ready", width: 1200, height: 800 });

    const row = await db.mediaItem.findUniqueOrThrow({ where: { id: item.id } });
    expect(row).toMatchObject({ thumbnail: "ready", width: 1200, height: 800 });
    const thumbnail = await thumbnailOf(item.sha256 ?? "");
    expect(thumbnail).not.toBeNull();
    const meta = await sharp(thumbnail ?? Buffer.alloc(0)).metadata();
    expect(meta).toMatchObject({ format: "webp", width: THUMBNAIL_SIZE, height: 213 });
    expect(thumbnail?.length).toBeLessThan(64 * 1024);
  });

  it("invalidates the owner's cached timeline once the item is ready", async () => {
    const item = await imageItem(await jpeg(64, 64));
    const { timeline } = running.app.dependencies.deps;
    let loads = 0;
    const read = () => timeline.read(item.userId, "probe", async () => ++loads);
    expect(await read()).toBe(1);
    expect(await read()).toBe(1); // cached
    expect((await runJob(item.id)).state).toBe("completed");
    expect(await read()).toBe(2); // the entry from before the thumbnail is never served again
  });

  it("honours EXIF orientation 6: the dimensions and the thumbnail are turned upright", async () => {
    const item = await imageItem(await jpeg(600, 400, 6));
    expect((await runJob(item.id)).state).toBe("completed");
    const row = await db.mediaItem.findUniqueOrThrow({ where: { id: item.id } });
    expect(row).toMatchObject({ thumbnail: "ready", width: 400, height: 600 });
    const meta = await sharp((await thumbnailOf(item.sha256 ?? "")) ?? Buffer.alloc(0)).metadata();
    expect(meta).toMatchObject({ width: 213, height: THUMBNAIL_SIZE });
  });

  it("never enlarges a small image", async () => {
    const item = await imageItem(await jpeg(100, 60));
    expect((await runJob(item.id)).state).toBe("completed");
    const meta = await sharp((await thumbnailOf(item.sha256 ?? "")) ?? Buffer.alloc(0)).metadata();
    expect(meta).toMatchObject({ width: 100, height: 60 });
  });

  it("marks bytes that do not decode as failed and does not retry the job", async () => {
    // Starts like a JPEG (so it passed the upload's type check), then garbage.
    const good = await jpeg(64, 64);
    const corrupt = Buffer.concat([good.subarray(0, 200), randomBytes(4000)]);
    const item = await imageItem(corrupt);
    const { state, job } = await runJob(item.id);
    expect(state).toBe("failed");
    expect(job.attemptsMade).toBe(1);
    expect(job.failedReason).toMatch(/^thumbnail failed: /);
    const row = await db.mediaItem.findUniqueOrThrow({ where: { id: item.id } });
    expect(row).toMatchObject({ thumbnail: "failed", width: null, height: null });
    expect(await thumbnailOf(item.sha256 ?? "")).toBeNull();
  });

  it("does nothing, without an error, for an item deleted before the job ran", async () => {
    const item = await imageItem(await jpeg(64, 64));
    await db.mediaItem.delete({ where: { id: item.id } });
    const { state, job } = await runJob(item.id);
    expect(state).toBe("completed");
    expect(job.returnvalue).toEqual({ outcome: "skipped", reason: "no-item" });
    expect(await thumbnailOf(item.sha256 ?? "")).toBeNull();
  });

  it("retries with backoff when storage is unavailable, then succeeds", async () => {
    const item = await imageItem(await jpeg(300, 200));
    const { deps } = running.app.dependencies;
    const real = deps.storage;
    let failures = 0;
    // The first read of the blob fails as an unreachable S3 or disk would; later ones work.
    deps.storage = new Proxy(real, {
      get(target, property) {
        if (property === "get" && failures === 0) {
          return () => {
            failures += 1;
            return Promise.reject(new Error("connect ECONNREFUSED 127.0.0.1:9000"));
          };
        }
        return bound(target, property);
      },
    });
    try {
      // The first retry comes after DEFAULT_JOB_OPTIONS' 2 s backoff.
      const { state, job } = await runJob(item.id);
      expect(state).toBe("completed");
      expect(failures).toBe(1);
      expect(job.attemptsMade).toBeGreaterThanOrEqual(1);
      expect(job.returnvalue).toMatchObject({ outcome: "ready", width: 300, height: 200 });
    } finally {
      deps.storage = real;
    }
  }, 15_000);
});

// --- the core function, directly -------------------------------------------------------------

describe("makeThumbnail", () => {
  it("makes one thumbnail for two items with the same bytes, and reuses it", async () => {
    const bytes = await jpeg(500, 500);
    const first = await imageItem(bytes);
    const second = await imageItem(bytes);
    expect(second.sha256).toBe(first.sha256);
    const deps = coreDeps();

    expect(await makeThumbnail(deps, first.id)).toMatchObject({
      outcome: "ready",
      reusedThumbnail: false,
    });
    const made = await thumbnailOf(first.sha256 ?? "");
    expect(await makeThumbnail(deps, second.id)).toMatchObject({
      outcome: "ready",
      width: 500,
      height: 500,
      reusedThumbnail: true,
    });
    expect(await thumbnailOf(first.sha256 ?? "")).toEqual(made);
    const rows = await db.mediaItem.findMany({ where: { id: { in: [first.id, second.id] } } });
    expect(rows.map((r) => r.thumbnail)).toEqual(["ready", "ready"]);
    // One derived file for the shared blob.
    const thumbnails = readdirSync(path.join(mediaDir, "thumbnails"));
    expect(thumbnails.filter((name) => name.includes(first.sha256 ?? "?"))).toEqual([
      `${first.sha256}.webp`,
    ]);
    expect(deps.changed.sort()).toEqual([first.userId, second.userId].sort());
  });

  it("changes nothing when it runs again", async () => {
    const item = await imageItem(await jpeg(400, 300));
    const deps = coreDeps();
    expect(await makeThumbnail(deps, item.id)).toMatchObject({ outcome: "ready" });
    const after = await db.mediaItem.findUniqueOrThrow({ where: { id: item.id } });
    const thumbnail = await thumbnailOf(item.sha256 ?? "");

    expect(await makeThumbnail(deps, item.id)).toEqual({
      outcome: "skipped",
      reason: "not-pending",
    });
    expect(await db.mediaItem.findUniqueOrThrow({ where: { id: item.id } })).toEqual(after);
    expect(await thumbnailOf(item.sha256 ?? "")).toEqual(thumbnail);
    // The timeline was told once, for the one change.
    expect(deps.changed).toEqual([item.userId]);
  });

  it("keeps dimensions ingest already recorded", async () => {
    const item = await imageItem(await jpeg(200, 100));
    await db.mediaItem.update({ where: { id: item.id }, data: { width: 2000, height: 1000 } });
    expect(await makeThumbnail(coreDeps(), item.id)).toMatchObject({
      outcome: "ready",
      width: 2000,
      height: 1000,
    });
  });

  it.each([
    [30_000, 30_000],
    // 225 MP: under sharp's own default limit (268 MP), over ours (200 MP).
    [15_000, 15_000],
  ])("refuses an image declaring %i×%i from its header, without decoding it", async (w, h) => {
    const item = await imageItem(await pngClaiming(w, h), { mime: "image/png" });
    const rssBefore = process.memoryUsage.rss();
    const started = performance.now();
    const result = await makeThumbnail(coreDeps(), item.id);
    const ms = performance.now() - started;
    expect(result).toMatchObject({
      outcome: "failed",
      reason: expect.stringMatching(/pixel limit/),
    });
    // Decoding would take gigabytes (w × h × 3 bytes) and seconds; the header check neither.
    expect(ms).toBeLessThan(1000);
    expect(process.memoryUsage.rss() - rssBefore).toBeLessThan(100 * 1024 * 1024);
    const row = await db.mediaItem.findUniqueOrThrow({ where: { id: item.id } });
    expect(row).toMatchObject({ thumbnail: "failed", width: null, height: null });
  });

  it("refuses a format outside the allow-list (SVG) even when the item says image", async () => {
    const svg = Buffer.from(
      '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"/></svg>',
    );
    const item = await imageItem(svg, { mime: "image/svg+xml" });
    expect(await makeThumbnail(coreDeps(), item.id)).toMatchObject({
      outcome: "failed",
      reason: "unsupported image format: svg",
    });
  });

  it("throws (so the job retries) when storage fails, and leaves the item pending", async () => {
    const item = await imageItem(await jpeg(64, 64));
    const failing = new Proxy(storage, {
      get(target, property) {
        if (property === "getObject" || property === "get") {
          return () => Promise.reject(new Error("storage unavailable"));
        }
        return bound(target, property);
      },
    });
    await expect(makeThumbnail(coreDeps({ storage: failing }), item.id)).rejects.toThrow(
      "storage unavailable",
    );
    const row = await db.mediaItem.findUniqueOrThrow({ where: { id: item.id } });
    expect(row.thumbnail).toBe("pending");
  });

  it("leaves items that are not pending alone", async () => {
    const item = await imageItem(await jpeg(64, 64));
    await db.mediaItem.update({ where: { id: item.id }, data: { thumbnail: "none" } });
    expect(await makeThumbnail(coreDeps(), item.id)).toEqual({
      outcome: "skipped",
      reason: "not-pending",
    });
    expect(await thumbnailOf(item.sha256 ?? "")).toBeNull();
  });
});
