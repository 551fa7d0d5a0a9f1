import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

import { startImport, sweepMedia } from "@lifeline/core";
import { createDb, type Db } from "@lifeline/db";
import { createLogger } from "@lifeline/logger";
import { fakeFile, InstagramEmulator, offsetCursor } from "@lifeline/providers/testing";
import { createJobProducer, createRedis, type JobProducer } from "@lifeline/queue";
import { createLocalBlobStorage } from "@lifeline/storage";
import type { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";

import { testEnvVars } from "./support/env";
import { serveOverHttp } from "./support/http-emulator";
import { blobsUnder, settledRun, tempsUnder } from "./support/imports";
import { emulatedProvidersEnv, seedLinkedAccount, testCipher } from "./support/linked-accounts";
import { startFixture, type SpawnedProcess } from "./support/spawn";
import { waitFor } from "./support/wait";

/**
 * A jobs process killed with SIGKILL in the middle of an import (one listing page and one
 * download in flight, a partial temp on disk), then a new one started: the run continues
 * from its checkpoint, every item arrives exactly once, and nothing half-written survives.
 */

const POSTS = 300;
const PAGE = 50;
const STALLED_PAGE_OFFSET = 200;

const db: Db = createDb(inject("databaseUrl"), { maxConnections: 4 });
const mediaDir = mkdtempSync(path.join(tmpdir(), "lifeline-imports-crash-"));
const instagram = new InstagramEmulator({ media: POSTS });
const stalledAsset = `${instagram.accounts.values().next().value?.media[1]?.id ?? ""}:media`;
const stalled = { listing: true, download: true, listingHits: 0, downloadHits: 0 };
const held: (() => void)[] = [];
let http: Awaited<ReturnType<typeof serveOverHttp>>;
let env: Record<string, string>;
let redis: Redis;
let jobs: JobProducer;
const children: SpawnedProcess[] = [];

beforeAll(async () => {
  http = await serveOverHttp(async (request, raw) => {
    const url = new URL(request.url);
    if (
      stalled.listing &&
      url.pathname.endsWith("/me/media") &&
      url.searchParams.get("after") === offsetCursor.encode(STALLED_PAGE_OFFSET)
    ) {
      // This page never answers: the process dies while it waits.
      stalled.listingHits++;
      await new Promise<void>((resolve) => held.push(resolve));
      return new Response(null, { status: 503 });
    }
    if (stalled.download && url.pathname === `/cdn/${encodeURIComponent(stalledAsset)}`) {
      // Half of the file, then nothing: the download is cut off by the kill, mid-body.
      stalled.downloadHits++;
      const { bytes, contentType } = fakeFile("image", stalledAsset);
      raw.writeHead(200, { "content-type": contentType, "content-length": String(bytes.length) });
      raw.write(bytes.subarray(0, Math.floor(bytes.length / 2)));
      return null;
    }
    return instagram.handle(request);
  });
  env = testEnvVars({
    MEDIA_DIR: mediaDir,
    ...emulatedProvidersEnv(),
    INSTAGRAM_BASE_URL: http.origin,
    JOBS_SHUTDOWN_TIMEOUT_MS: "2000",
  });
  redis = createRedis(env.REDIS_URL ?? "", createLogger({ name: "t", level: "silent" }));
  jobs = createJobProducer({ connection: redis, redisKeyPrefix: env.REDIS_KEY_PREFIX ?? "" });
});

afterAll(async () => {
  for (const child of children) child.kill("SIGKILL");
  for (const release of held) release();
  await jobs.close();
  redis.disconnect();
  await http.close();
  await db.$disconnect();
  rmSync(mediaDir, { recursive: true, force: true });
});

function listingRequests(after: string | null): number {
  return instagram.requests.filter(
    (r) => r.path.endsWith("/me/media") && r.query.get("after") === after,
  ).length;
}

describe("a jobs process killed mid-import", () => {
  it("is continued by the next one: every item once, no partial file, right counts", async () => {
    const account = await seedLinkedAccount(db, testCipher(), instagram);
    const first = await startFixture([], env, "test/fixtures/imports-process.ts");
    children.push(first);
    const { run } = await startImport({ db, jobs }, account.userId, account.id);

    await waitFor(
      "a listing page and a download to hang, with a partial temp on disk",
      () => stalled.listingHits > 0 && stalled.downloadHits > 0 && tempsUnder(mediaDir).length > 0,
      60_000,
    );
    const before = await db.importRun.findUniqueOrThrow({ where: { id: run.id } });
    expect(before.pagesDone).toBe(STALLED_PAGE_OFFSET / PAGE);
    first.kill("SIGKILL");
    await first.exited;

    // The stalled item was never stored: no row points at its partial temp.
    const stalledItem = await db.mediaItem.findFirst({
      where: { linkedAccountId: account.id, providerItemId: stalledAsset.split(":")[0] ?? "" },
    });
    expect(stalledItem?.status).toBe("pending");
    expect(stalledItem?.sha256).toBeNull();

    stalled.listing = false;
    stalled.download = false;
    const second = await startFixture([], env, "test/fixtures/imports-process.ts");
    children.push(second);
    const settled = await settledRun(db, run.id, 90_000);
    expect(settled.status).toBe("completed");

    const media = instagram.accounts.values().next().value?.media ?? [];
    const leaves = media.reduce((n, m) => n + (m.children?.length ?? 1), 0);
    const items = await db.mediaItem.findMany({ where: { linkedAccountId: account.id } });
    expect(items).toHaveLength(leaves);
    expect(new Set(items.map((i) => i.providerItemId)).size).toBe(leaves);
    expect(items.every((i) => i.status === "stored")).toBe(true);
    expect(settled).toMatchObject({
      itemsSeen: leaves,
      itemsNew: leaves,
      itemsExisting: 0,
      itemsFailed: 0,
      itemsPending: 0,
      pagesDone: POSTS / PAGE,
    });

    // Checkpointed pages were never fetched again; only the page in flight was (its first
    // request hung in the stall above and never reached the emulator).
    expect(stalled.listingHits).toBe(1);
    for (let offset = 0; offset < POSTS; offset += PAGE) {
      const after = offset === 0 ? null : offsetCursor.encode(offset);
      expect(listingRequests(after), `page at ${offset}`).toBe(1);
    }

    // The killed download's partial temp is the only leftover, and the existing sweep
    // removes it; every blob belongs to an item and every item's blob is whole.
    const storage = createLocalBlobStorage(mediaDir, createLogger({ name: "t", level: "silent" }));
    const swept = await sweepMedia(
      { db, storage, now: () => new Date() },
      { minTempAgeMs: 0, minBlobAgeMs: 0 },
    );
    expect(swept.temps).toBeGreaterThanOrEqual(1);
    expect(swept.deleted).toBe(0);
    expect(tempsUnder(mediaDir)).toEqual([]);
    const shas = new Set(items.map((i) => i.sha256));
    for (const blob of blobsUnder(mediaDir)) expect(shas.has(blob)).toBe(true);
    for (const item of items) {
      expect(await storage.stat(item.sha256 ?? "")).toEqual({ size: Number(item.sizeBytes) });
    }

    // A second import adds nothing.
    const again = await startImport({ db, jobs }, account.userId, account.id);
    const secondRun = await settledRun(db, again.run.id, 60_000);
    expect(secondRun).toMatchObject({ status: "completed", itemsNew: 0, itemsExisting: leaves });
    expect(await db.mediaItem.count({ where: { linkedAccountId: account.id } })).toBe(leaves);

    second.kill("SIGTERM");
    await second.exited;
  }, 240_000);
});
