import { randomUUID } from "node:crypto";
import { Readable } from "node:stream";

import {
  blobLockKey,
  collectBlob,
  ingestUpload,
  sweepMedia,
  thumbnailKey,
  withBlobLock,
  type IngestDeps,
} from "@lifeline/core";
import { png } from "@lifeline/core/testing";
import {
  collectBlobJob,
  makeThumbnailJob,
  sweepMediaJob,
  type JobDefinition,
} from "@lifeline/queue";
import {
  localTestStore,
  s3TestStore,
  startS3Server,
  type S3TestServer,
  type TestStore,
} from "@lifeline/storage/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import type { JobsDeps } from "../src/handler";
import type { QueueWorkerSpec } from "../src/run-workers";
import { mediaWorker } from "../src/workers/media.worker";
import { startTestJobsApp, type TestJobsApp } from "./support/app";
import { testEnv } from "./support/env";
import { waitFor } from "./support/wait";

const HOUR = 60 * 60_000;

/**
 * The media queue without its thumbnail handler: the thumbnail jobs ingest enqueues would
 * otherwise take the blob's lock too, and these tests count who waits for it.
 */
function collectionWorker(): QueueWorkerSpec {
  const spec = mediaWorker(2);
  return { ...spec, handlers: spec.handlers.filter((h) => h.job !== makeThumbnailJob) };
}
/** Every image of this file differs, across both drivers: rows live in one database. */
let seed = 0;

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
])("blob collection on the $driver storage driver", ({ store: makeStore }) => {
  let store: TestStore;
  let running: TestJobsApp;
  let deps: JobsDeps;

  beforeAll(async () => {
    store = await makeStore();
    running = await startTestJobsApp({ env: testEnv(store.env), workers: [collectionWorker()] });
    deps = running.app.dependencies.deps;
  });
  afterAll(async () => {
    await running.stop();
    await store.remove();
  });

  const newUser = async () =>
    (
      await deps.db.user.create({
        data: { email: `collect-${randomUUID()}@example.com`, passwordHash: "x".repeat(60) },
      })
    ).id;

  const ingestDeps = (): IngestDeps => ({
    db: deps.db,
    storage: deps.storage,
    jobs: deps.jobs,
    logger: deps.logger,
    timeline: { invalidate: async () => undefined },
  });

  /** Uploads `bytes` for `userId` through the ingest path uploads use. */
  const upload = (userId: string, bytes: Buffer) =>
    ingestUpload(ingestDeps(), {
      userId,
      body: Readable.from([bytes]),
      fileName: "a.png",
      maxBytes: 1e6,
    });

  /** A stored image with a thumbnail, referenced by one item. */
  async function storedImage() {
    const userId = await newUser();
    const bytes = png({ seed: 1000 + ++seed });
    const { item } = await upload(userId, bytes);
    const sha256 = item.sha256!;
    await deps.storage.putObject(thumbnailKey(sha256), Readable.from([Buffer.from("RIFF-webp")]), {
      maxBytes: 1000,
    });
    return { userId, bytes, item, sha256 };
  }

  /** Runs a media job through the app's worker and returns what its handler returned. */
  async function runJob(job: JobDefinition, payload: object): Promise<unknown> {
    const jobId = `test-${randomUUID()}`;
    await deps.jobs.enqueue(job, payload, { jobId });
    const queue = deps.jobs.queue("media");
    await waitFor(
      `${jobId} to complete`,
      async () => (await queue.getJobState(jobId)) === "completed",
    );
    return (await queue.getJob(jobId))?.returnvalue as unknown;
  }

  const present = async (sha256: string) => ({
    blob: await deps.storage.exists(sha256),
    thumbnail: await deps.storage.getObject(thumbnailKey(sha256)).then((read) => {
      read?.body.destroy();
      return read !== null;
    }),
  });

  it("deletes the blob and its thumbnail once no item references it; again, nothing changes", async () => {
    const { item, sha256 } = await storedImage();
    expect(await present(sha256)).toEqual({ blob: true, thumbnail: true });
    await deps.db.mediaItem.delete({ where: { id: item.id } });

    expect(await runJob(collectBlobJob, { sha256 })).toEqual({ deleted: true });
    expect(await present(sha256)).toEqual({ blob: false, thumbnail: false });
    expect((await store.rawKeys()).filter((key) => key.includes(sha256))).toEqual([]);

    expect(await runJob(collectBlobJob, { sha256 })).toEqual({ deleted: true });
    expect(await present(sha256)).toEqual({ blob: false, thumbnail: false });
  });

  it("keeps a blob another item still references", async () => {
    const { item, bytes, sha256 } = await storedImage();
    const other = await upload(await newUser(), bytes);
    await deps.db.mediaItem.delete({ where: { id: item.id } });

    expect(await runJob(collectBlobJob, { sha256 })).toEqual({ deleted: false });
    expect(await present(sha256)).toEqual({ blob: true, thumbnail: true });
    expect(await deps.db.mediaItem.findUnique({ where: { id: other.item.id } })).not.toBeNull();
  });

  /** Sessions waiting for this blob's lock, in this database. */
  async function lockWaiters(sha256: string): Promise<number> {
    const key = blobLockKey(sha256);
    const unsigned = BigInt.asUintN(64, key);
    const rows = await deps.db.$queryRaw<{ waiting: bigint }[]>`
      SELECT count(*) AS waiting FROM pg_locks
      WHERE locktype = 'advisory' AND NOT granted
        AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
        AND classid::bigint = ${Number(unsigned >> 32n)} AND objid::bigint = ${Number(unsigned & 0xffffffffn)}
        AND objsubid = 1`;
    return Number(rows[0]?.waiting ?? 0);
  }

  /** Holds the blob's lock until `release()`: the test decides who gets it next. */
  async function holdLock(sha256: string) {
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let taken!: () => void;
    const isTaken = new Promise<void>((resolve) => (taken = resolve));
    const held = withBlobLock(deps.db, sha256, async () => {
      taken();
      await released;
    });
    await isTaken;
    return { release, held };
  }

  it("a re-upload of the same bytes queued behind the collector recreates the blob: row and blob both present", async () => {
    const { userId, item, bytes, sha256 } = await storedImage();
    await deps.db.mediaItem.delete({ where: { id: item.id } });

    const lock = await holdLock(sha256);
    const collected = collectBlob(deps, sha256);
    await waitFor(
      "the collector to wait for the lock",
      async () => (await lockWaiters(sha256)) === 1,
    );
    const reuploaded = upload(userId, bytes);
    await waitFor("the upload to wait for the lock", async () => (await lockWaiters(sha256)) === 2);
    lock.release();
    await lock.held;

    // Postgres grants the lock in the order it was asked for: the collector deletes first,
    // then the upload commits its temp anew and inserts its row.
    expect(await collected).toEqual({ deleted: true });
    const { item: again, created } = await reuploaded;
    expect(created).toBe(true);
    expect(await deps.db.mediaItem.findUnique({ where: { id: again.id } })).not.toBeNull();
    expect(await deps.storage.exists(sha256)).toBe(true);
  });

  it("a re-upload that takes the lock before the collector keeps the blob: row and blob both present", async () => {
    const { userId, item, bytes, sha256 } = await storedImage();
    await deps.db.mediaItem.delete({ where: { id: item.id } });

    const lock = await holdLock(sha256);
    const reuploaded = upload(userId, bytes);
    await waitFor("the upload to wait for the lock", async () => (await lockWaiters(sha256)) === 1);
    const collected = collectBlob(deps, sha256);
    await waitFor(
      "the collector to wait for the lock",
      async () => (await lockWaiters(sha256)) === 2,
    );
    lock.release();
    await lock.held;

    const { item: again } = await reuploaded;
    expect(await collected).toEqual({ deleted: false });
    expect(await deps.db.mediaItem.findUnique({ where: { id: again.id } })).not.toBeNull();
    expect(await present(sha256)).toEqual({ blob: true, thumbnail: true });
  });

  describe("the sweep", () => {
    it("deletes orphans older than an hour and stale temps; keeps referenced and young blobs", async () => {
      const referenced = await storedImage();
      const orphan = await storedImage();
      await deps.db.mediaItem.delete({ where: { id: orphan.item.id } });
      const temp = await deps.storage.putTemp(Readable.from([Buffer.from("half an upload")]), {
        maxBytes: 100,
      });

      // Now: the orphan is younger than an hour, the temp younger than a day: all stay.
      expect(await sweepMedia({ ...deps, now: () => new Date() })).toMatchObject({
        deleted: 0,
        temps: 0,
      });
      expect(await present(orphan.sha256)).toEqual({ blob: true, thumbnail: true });

      // Two hours on, the orphan goes (with its thumbnail); a day on, the temp too.
      const later = (ms: number) => () => new Date(Date.now() + ms);
      expect(await sweepMedia({ ...deps, now: later(2 * HOUR) })).toMatchObject({
        deleted: 1,
        temps: 0,
      });
      expect(await present(orphan.sha256)).toEqual({ blob: false, thumbnail: false });
      expect(await present(referenced.sha256)).toEqual({ blob: true, thumbnail: true });
      expect(await store.rawKeys()).toContain(temp.tempKey);

      expect(await sweepMedia({ ...deps, now: later(25 * HOUR) })).toMatchObject({
        deleted: 0,
        temps: 1,
      });
      expect(await store.rawKeys()).not.toContain(temp.tempKey);
      expect(await present(referenced.sha256)).toEqual({ blob: true, thumbnail: true });
    });

    it("runs as the daily media job", async () => {
      expect(await runJob(sweepMediaJob, {})).toMatchObject({ deleted: 0 });
    });
  });
});
