import { randomBytes } from "node:crypto";

import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";

import {
  BlobIntegrityError,
  BlobNotFoundError,
  BlobRangeError,
  BlobTooLargeError,
  blobKey,
  HEAD_BYTES,
  type BlobStorage,
} from "../src/index";
import { bodyOf, countedBody, failingBody, generatedBody, readAll, sha256 } from "./support/bodies";
import { exposeGc } from "./support/memory";
import { localHarness, s3Harness, type DriverHarness, type StoreUnderTest } from "./support/stores";

const MIB = 1024 * 1024;

/** Stores `bytes` as a blob; returns its address. */
async function store(storage: BlobStorage, bytes: Buffer): Promise<string> {
  const temp = await storage.putTemp(bodyOf(bytes), { maxBytes: bytes.length });
  await storage.commit(temp.tempKey, temp.sha256);
  return temp.sha256;
}

async function collect(iterable: AsyncIterable<string>): Promise<string[]> {
  const items: string[] = [];
  for await (const item of iterable) items.push(item);
  return items.sort();
}

describe.each([
  { driver: "local", start: localHarness },
  { driver: "s3", start: s3Harness },
])("BlobStorage, $driver driver", ({ start }) => {
  let harness: DriverHarness;
  let t: StoreUnderTest;
  let storage: BlobStorage;

  beforeAll(async () => {
    harness = await start();
  });
  afterAll(async () => {
    await harness.stop();
  });
  beforeEach(async () => {
    t = await harness.fresh();
    storage = t.storage;
  });

  describe("putTemp and commit", () => {
    it("stores bytes under their sha256, with size and head, and reads them back", async () => {
      const bytes = randomBytes(300 * 1024 + 17);
      const temp = await storage.putTemp(bodyOf(bytes, 10_000), { maxBytes: 1 * MIB });
      expect(temp.tempKey).toMatch(/^tmp\/[0-9a-f-]{36}$/);
      expect(temp.size).toBe(bytes.length);
      expect(temp.sha256).toBe(sha256(bytes));
      // The head is the first 256 KiB exactly, gathered across chunk boundaries.
      expect(temp.head.equals(bytes.subarray(0, HEAD_BYTES))).toBe(true);
      expect(await t.rawKeys()).toEqual([temp.tempKey]);
      expect(await storage.exists(temp.sha256)).toBe(false);

      const result = await storage.commit(temp.tempKey, temp.sha256, {
        expectedSize: bytes.length,
        expectedSha256: sha256(bytes),
      });
      expect(result).toEqual({ sha256: temp.sha256, size: bytes.length, created: true });
      expect(await t.rawKeys()).toEqual([blobKey(temp.sha256)]);
      expect(blobKey(temp.sha256)).toBe(
        `blobs/${temp.sha256.slice(0, 2)}/${temp.sha256.slice(2, 4)}/${temp.sha256}`,
      );
      expect(await storage.exists(temp.sha256)).toBe(true);
      expect(await storage.stat(temp.sha256)).toEqual({ size: bytes.length });

      const read = await storage.get(temp.sha256);
      expect(read?.size).toBe(bytes.length);
      expect(read?.range).toBeNull();
      const back = await readAll(read!.body);
      expect(sha256(back)).toBe(temp.sha256);
    });

    it("stores an empty body", async () => {
      const temp = await storage.putTemp(bodyOf(Buffer.alloc(0)), { maxBytes: 0 });
      expect(temp.size).toBe(0);
      expect(temp.head.length).toBe(0);
      await storage.commit(temp.tempKey, sha256(Buffer.alloc(0)));
      const read = await storage.get(temp.sha256);
      expect((await readAll(read!.body)).length).toBe(0);
    });

    it("keeps one blob for the same bytes stored twice", async () => {
      const bytes = randomBytes(50_000);
      const first = await storage.putTemp(bodyOf(bytes), { maxBytes: bytes.length });
      const second = await storage.putTemp(bodyOf(bytes), { maxBytes: bytes.length });
      expect(second.tempKey).not.toBe(first.tempKey);
      expect((await storage.commit(first.tempKey, first.sha256)).created).toBe(true);
      expect((await storage.commit(second.tempKey, second.sha256)).created).toBe(false);
      expect(await t.rawKeys()).toEqual([blobKey(first.sha256)]);
      expect(await collect(storage.list())).toEqual([first.sha256]);
    });

    it("verifies a temp written by another instance by hashing it again", async () => {
      const bytes = randomBytes(40_000);
      const temp = await storage.putTemp(bodyOf(bytes), { maxBytes: bytes.length });
      const other = t.reopen();
      await expect(other.commit(temp.tempKey, temp.sha256)).resolves.toMatchObject({
        created: true,
        size: bytes.length,
      });
      expect(await t.rawKeys()).toEqual([blobKey(temp.sha256)]);
    });

    it("refuses a temp changed behind its back, even at the same size", async () => {
      const bytes = randomBytes(40_000);
      const temp = await storage.putTemp(bodyOf(bytes), { maxBytes: bytes.length });
      await t.tamper(temp.tempKey, randomBytes(bytes.length));
      const error = await t
        .reopen()
        .commit(temp.tempKey, temp.sha256)
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(BlobIntegrityError);
      expect((error as BlobIntegrityError).mismatches.map((m) => m.field)).toEqual(["sha256"]);
      expect(await t.rawKeys()).toEqual([]);
    });

    it("refuses a temp cut short after it was written", async () => {
      const bytes = randomBytes(40_000);
      const temp = await storage.putTemp(bodyOf(bytes), { maxBytes: bytes.length });
      await t.tamper(temp.tempKey, bytes.subarray(0, 1000));
      await expect(storage.commit(temp.tempKey, temp.sha256)).rejects.toThrow(BlobIntegrityError);
      expect(await t.rawKeys()).toEqual([]);
    });
  });

  describe("failed uploads leave nothing behind", () => {
    it("stops reading past maxBytes, throws the limit, and leaves the body to its owner", async () => {
      const { body, state } = countedBody(1000, 1024);
      const error = await storage.putTemp(body, { maxBytes: 10 * 1024 }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(BlobTooLargeError);
      expect((error as BlobTooLargeError).limit).toBe(10 * 1024);
      // Read up to the limit plus stream buffering, not the whole megabyte.
      expect(state.pulled).toBeLessThan(100);
      expect(body.destroyed).toBe(false);
      expect(await t.rawKeys()).toEqual([]);
    });

    it("refuses one byte over the limit and accepts exactly the limit", async () => {
      const bytes = randomBytes(4096);
      await expect(storage.putTemp(bodyOf(bytes), { maxBytes: 4095 })).rejects.toThrow(
        BlobTooLargeError,
      );
      expect(await t.rawKeys()).toEqual([]);
      await expect(storage.putTemp(bodyOf(bytes), { maxBytes: 4096 })).resolves.toMatchObject({
        size: 4096,
      });
    });

    it("rethrows a body's error midway (a truncated upload), past the first multipart part", async () => {
      const body = failingBody(6 * MIB, new Error("client went away"));
      await expect(storage.putTemp(body, { maxBytes: 100 * MIB })).rejects.toThrow(
        "client went away",
      );
      expect(await t.rawKeys()).toEqual([]);
    });

    it("fails when the body closes before its end without an error", async () => {
      await expect(storage.putTemp(failingBody(1000), { maxBytes: MIB })).rejects.toThrow(
        /premature close/i,
      );
      expect(await t.rawKeys()).toEqual([]);
    });

    it("stops when the signal aborts", async () => {
      const { body } = countedBody(100_000, 1024);
      const controller = new AbortController();
      setTimeout(() => controller.abort(), 30);
      await expect(
        storage.putTemp(body, { maxBytes: 1000 * MIB, signal: controller.signal }),
      ).rejects.toMatchObject({ name: "AbortError" });
      expect(await t.rawKeys()).toEqual([]);
    });

    it("refuses a nonsensical limit before reading", async () => {
      await expect(storage.putTemp(bodyOf(Buffer.from("x")), { maxBytes: -1 })).rejects.toThrow(
        RangeError,
      );
      await expect(storage.putTemp(bodyOf(Buffer.from("x")), { maxBytes: 1.5 })).rejects.toThrow(
        RangeError,
      );
    });
  });

  describe("commit verifies before anything gets a real name", () => {
    let bytes: Buffer;
    beforeEach(() => {
      bytes = randomBytes(20_000);
    });

    it("refuses a wrong expected hash", async () => {
      const temp = await storage.putTemp(bodyOf(bytes), { maxBytes: bytes.length });
      const wrong = sha256(Buffer.from("something else"));
      const error = await storage
        .commit(temp.tempKey, temp.sha256, { expectedSha256: wrong })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(BlobIntegrityError);
      expect((error as BlobIntegrityError).mismatches).toEqual([
        { field: "expectedSha256", expected: wrong, actual: temp.sha256 },
      ]);
      expect(await storage.exists(temp.sha256)).toBe(false);
      expect(await t.rawKeys()).toEqual([]);
    });

    it("refuses a wrong expected size", async () => {
      const temp = await storage.putTemp(bodyOf(bytes), { maxBytes: bytes.length });
      await expect(
        storage.commit(temp.tempKey, temp.sha256, { expectedSize: bytes.length + 1 }),
      ).rejects.toThrow(BlobIntegrityError);
      expect(await t.rawKeys()).toEqual([]);
    });

    it("refuses to store bytes under another address", async () => {
      const temp = await storage.putTemp(bodyOf(bytes), { maxBytes: bytes.length });
      const other = sha256(Buffer.from("other"));
      await expect(storage.commit(temp.tempKey, other)).rejects.toThrow(BlobIntegrityError);
      expect(await storage.exists(other)).toBe(false);
      expect(await t.rawKeys()).toEqual([]);
    });

    it("reports a temp that is gone, and refuses keys it did not hand out", async () => {
      const temp = await storage.putTemp(bodyOf(bytes), { maxBytes: bytes.length });
      await storage.commit(temp.tempKey, temp.sha256);
      await expect(storage.commit(temp.tempKey, temp.sha256)).rejects.toThrow(BlobNotFoundError);
      await expect(storage.commit("tmp/../blobs/x", temp.sha256)).rejects.toThrow(TypeError);
      await expect(storage.commit(temp.tempKey, "ABC")).rejects.toThrow(TypeError);
    });

    it("discards a temp, idempotently", async () => {
      const temp = await storage.putTemp(bodyOf(bytes), { maxBytes: bytes.length });
      await storage.discard(temp.tempKey);
      await storage.discard(temp.tempKey);
      expect(await t.rawKeys()).toEqual([]);
      await expect(storage.commit(temp.tempKey, temp.sha256)).rejects.toThrow(BlobNotFoundError);
    });
  });

  describe("get with a range", () => {
    let bytes: Buffer;
    let address: string;
    beforeEach(async () => {
      bytes = randomBytes(1000);
      address = await store(storage, bytes);
    });

    it.each([
      { name: "first byte", range: { start: 0, end: 0 } },
      { name: "middle", range: { start: 10, end: 19 } },
      { name: "last byte", range: { start: 999, end: 999 } },
      { name: "whole", range: { start: 0, end: 999 } },
    ])("serves the $name", async ({ range }) => {
      const read = await storage.get(address, range);
      expect(read?.size).toBe(1000);
      expect(read?.range).toEqual(range);
      const back = await readAll(read!.body);
      expect(back.equals(bytes.subarray(range.start, range.end + 1))).toBe(true);
    });

    it("cuts an end past the blob to its last byte, never reading beyond", async () => {
      const read = await storage.get(address, { start: 990, end: 5000 });
      expect(read?.range).toEqual({ start: 990, end: 999 });
      expect((await readAll(read!.body)).equals(bytes.subarray(990))).toBe(true);
    });

    it("refuses ranges that cannot be served", async () => {
      for (const range of [
        { start: 1000, end: 1000 },
        { start: 5, end: 4 },
        { start: -1, end: 3 },
        { start: 0.5, end: 3 },
      ]) {
        await expect(storage.get(address, range), JSON.stringify(range)).rejects.toThrow(
          BlobRangeError,
        );
      }
      const empty = await store(storage, Buffer.alloc(0));
      await expect(storage.get(empty, { start: 0, end: 0 })).rejects.toThrow(BlobRangeError);
    });

    it("answers null for a blob that is not there", async () => {
      const missing = sha256(Buffer.from("never stored"));
      expect(await storage.get(missing)).toBeNull();
      expect(await storage.get(missing, { start: 0, end: 1 })).toBeNull();
      expect(await storage.stat(missing)).toBeNull();
    });
  });

  describe("delete, list and sweepTemp", () => {
    it("deletes idempotently", async () => {
      const address = await store(storage, randomBytes(100));
      await storage.delete(address);
      await storage.delete(address);
      expect(await storage.exists(address)).toBe(false);
      expect(await storage.get(address)).toBeNull();
      expect(await t.rawKeys()).toEqual([]);
    });

    it("lists every stored sha256 (across pages), and not temps or derived files", async () => {
      const addresses = await Promise.all(
        [1, 2, 3, 4, 5].map(() => store(storage, randomBytes(64))),
      );
      await storage.putTemp(bodyOf(randomBytes(10)), { maxBytes: 10 });
      await storage.putObject("thumbnails/x.webp", bodyOf(randomBytes(10)), { maxBytes: 10 });
      expect(await collect(storage.list())).toEqual([...addresses].sort());
      await storage.delete(addresses[0]!);
      expect(await collect(storage.list())).toEqual(addresses.slice(1).sort());
    });

    it("sweeps temps older than the cut-off and keeps newer ones", async () => {
      const temp = await storage.putTemp(bodyOf(randomBytes(10)), { maxBytes: 10 });
      const address = await store(storage, randomBytes(10));
      expect(await storage.sweepTemp(new Date(Date.now() - 60_000))).toBe(0);
      expect(await t.rawKeys()).toContain(temp.tempKey);

      expect(await storage.sweepTemp(new Date(Date.now() + 60_000))).toBe(1);
      expect(await t.rawKeys()).toEqual([blobKey(address)]);
      await expect(storage.commit(temp.tempKey, temp.sha256)).rejects.toThrow(BlobNotFoundError);
    });
  });

  describe("derived files", () => {
    it("stores, replaces, reads and deletes an object under its namespace", async () => {
      const key = `thumbnails/${sha256(Buffer.from("a photo"))}.webp`;
      const first = randomBytes(3000);
      const second = randomBytes(2000);
      await storage.putObject(key, bodyOf(first), { maxBytes: 10_000 });
      expect(await storage.putObject(key, bodyOf(second), { maxBytes: 10_000 })).toEqual({
        size: 2000,
        sha256: sha256(second),
      });
      expect(await t.rawKeys()).toEqual([key]);
      const read = await storage.getObject(key);
      expect((await readAll(read!.body)).equals(second)).toBe(true);
      const part = await storage.getObject(key, { start: 1, end: 2 });
      expect((await readAll(part!.body)).equals(second.subarray(1, 3))).toBe(true);
      await storage.deleteObject(key);
      await storage.deleteObject(key);
      expect(await storage.getObject(key)).toBeNull();
      expect(await t.rawKeys()).toEqual([]);
    });

    it("leaves nothing when a derived file is over its limit", async () => {
      await expect(
        storage.putObject("thumbnails/big.webp", bodyOf(randomBytes(2000)), { maxBytes: 1000 }),
      ).rejects.toThrow(BlobTooLargeError);
      expect(await t.rawKeys()).toEqual([]);
    });

    it("keeps derived files out of blobs/ and tmp/ and inside the store", async () => {
      const key = (k: string) => storage.putObject(k, bodyOf(Buffer.from("x")), { maxBytes: 1 });
      for (const bad of [
        "blobs/ab/cd/x",
        "tmp/x",
        "../x",
        "thumbnails/../../x",
        "x",
        "a//b",
        "/a/b",
      ]) {
        await expect(key(bad), bad).rejects.toThrow(TypeError);
      }
      expect(await t.rawKeys()).toEqual([]);
    });
  });

  it("streams a 96 MiB body with flat memory", async () => {
    const size = 96 * MIB;
    const gc = exposeGc();
    // Collect every 2 MiB the body produces, so what RSS shows is what the driver holds.
    const { body, digest } = generatedBody(size, { every: { bytes: 2 * MIB, run: gc } });
    gc();
    const before = process.memoryUsage().rss;
    let peak = before;
    const sampler = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage().rss);
    }, 5);
    try {
      const temp = await storage.putTemp(body, { maxBytes: size });
      expect(temp.sha256).toBe(digest());
      expect(temp.size).toBe(size);
      await storage.commit(temp.tempKey, temp.sha256, { expectedSize: size });
      const read = await storage.get(temp.sha256, { start: size - 10, end: size - 1 });
      expect((await readAll(read!.body)).length).toBe(10);
    } finally {
      clearInterval(sampler);
    }
    peak = Math.max(peak, process.memoryUsage().rss);
    const growth = peak - before;
    // Streaming holds a few chunks (local: ~3 MiB here) or a few 5 MiB multipart parts (S3:
    // ~25 MiB here), never the body.
    expect(growth, `RSS grew by ${(growth / MIB).toFixed(1)} MiB`).toBeLessThan(size / 2);
  }, 120_000);
});
