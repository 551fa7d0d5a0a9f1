import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

import { getImportRun, startImport, syncLinkedAccounts } from "@lifeline/core";
import { createDb, type Db } from "@lifeline/db";
import {
  GoogleEmulator,
  InstagramEmulator,
  providerHandlers,
  XEmulator,
  type BaseEmulator,
} from "@lifeline/providers/testing";
import type { JobProducer } from "@lifeline/queue";
import { http, type HttpHandler } from "msw";
import { setupServer } from "msw/node";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";

import { importsWorker } from "../src/workers/imports.worker";
import { startTestJobsApp, type TestJobsApp } from "./support/app";
import { testEnv } from "./support/env";
import { blobsUnder, settledRun, startRun, tempsUnder } from "./support/imports";
import {
  emulatedProvidersConfig,
  emulatedProvidersEnv,
  seedLinkedAccount,
  testCipher,
  tokenCalls,
} from "./support/linked-accounts";

/**
 * Imports end to end: the jobs app's imports worker in this process, on the run's Postgres
 * and Redis, against the providers' emulations (msw), with media on a local folder.
 */

const db: Db = createDb(inject("databaseUrl"), { maxConnections: 8 });
const mediaDir = mkdtempSync(path.join(tmpdir(), "lifeline-imports-"));
const config = emulatedProvidersConfig();
const cipher = testCipher();
const server = setupServer();
let running: TestJobsApp;
let jobs: JobProducer;

/** Routes every provider host to these emulators (and only them) from now on. */
function serve(
  emulators: Partial<Record<"instagram" | "x" | "google", BaseEmulator>>,
  extra: HttpHandler[] = [],
) {
  server.resetHandlers(...extra, ...providerHandlers(config, emulators));
}

beforeAll(async () => {
  server.listen({ onUnhandledRequest: "error" });
  running = await startTestJobsApp({
    env: testEnv({
      MEDIA_DIR: mediaDir,
      JOBS_IMPORT_ACCOUNT_CONCURRENCY: "4",
      ...emulatedProvidersEnv(),
    }),
    workers: [importsWorker(8)],
  });
  jobs = running.app.dependencies.deps.jobs;
});

afterAll(async () => {
  await running.stop();
  server.close();
  await db.$disconnect();
  rmSync(mediaDir, { recursive: true, force: true });
});

/** What every settled import must leave: each stored item's blob whole, no temp left. */
async function expectStorageConsistent(linkedAccountId: string) {
  const items = await db.mediaItem.findMany({ where: { linkedAccountId } });
  const blobs = new Set(blobsUnder(mediaDir));
  for (const item of items) {
    if (item.status !== "stored" || item.kind === "post") continue;
    expect(item.sha256).toMatch(/^[0-9a-f]{64}$/);
    const sha = item.sha256 ?? "";
    expect(blobs.has(sha)).toBe(true);
    const bytes = readFileSync(path.join(mediaDir, "blobs", sha.slice(0, 2), sha.slice(2, 4), sha));
    expect(createHash("sha256").update(bytes).digest("hex")).toBe(sha);
    expect(Number(item.sizeBytes)).toBe(bytes.length);
  }
  expect(tempsUnder(mediaDir)).toEqual([]);
  // No blob without an item (another test's items count: the folder is shared).
  const referenced = new Set(
    (
      await db.mediaItem.findMany({ where: { sha256: { not: null } }, select: { sha256: true } })
    ).map((row) => row.sha256),
  );
  for (const blob of blobs) expect(referenced.has(blob)).toBe(true);
}

describe("a large Instagram import", () => {
  const instagram = new InstagramEmulator({ media: 1200 });
  const corrupt = "18" + String(10 ** 15 + 17).padStart(16, "0");
  const expiring = "18" + String(10 ** 15 + 41).padStart(16, "0");
  let account: { id: string; userId: string };
  let runId: string;
  /** The CDN asset that got the 429 (`<media id>:<variant>`). */
  let throttled = "";

  beforeAll(async () => {
    // One file lies about its length; one URL expires between the lookup and the fetch; the
    // CDN answers 429 (Retry-After: 1) once, mid-run.
    instagram.corruptDownload(`${corrupt}:media`);
    let expired = false;
    let cdnRequests = 0;
    const faults = http.get(/\/cdn\//, ({ request }) => {
      if (!expired && request.url.includes(encodeURIComponent(`${expiring}:media`))) {
        expired = true;
        instagram.expireMediaUrls();
      }
      if (++cdnRequests === 300) {
        throttled = decodeURIComponent(new URL(request.url).pathname.split("/").pop() ?? "");
        return new Response("Too Many Requests", { status: 429, headers: { "retry-after": "1" } });
      }
      return undefined;
    });
    serve({ instagram }, [faults]);
    account = await seedLinkedAccount(db, cipher, instagram);
    runId = await startRun(db, jobs, account);
  }, 30_000);

  it(
    "records every item exactly once, carousel children one each, and completes",
    { timeout: 180_000 },
    async () => {
      const run = await settledRun(db, runId, 170_000);
      expect(run.status).toBe("completed");
      expect(run.error).toBeNull();
      const carousels =
        instagram.accounts
          .values()
          .next()
          .value?.media.filter((m) => m.media_type === "CAROUSEL_ALBUM").length ?? 0;
      const leaves = 1200 - carousels + carousels * 3;
      expect(run.itemsSeen).toBe(leaves);
      expect(run.itemsNew).toBe(leaves);
      expect(run.itemsExisting).toBe(0);
      expect(run.itemsPending).toBe(0);
      expect(run.itemsFailed).toBe(1);
      expect(run.pagesDone).toBe(Math.ceil(1200 / 50));
      expect(run.listingDone).toBe(true);

      const items = await db.mediaItem.findMany({ where: { linkedAccountId: account.id } });
      expect(items).toHaveLength(leaves);
      expect(new Set(items.map((i) => i.providerItemId)).size).toBe(leaves);
      expect(items.filter((i) => i.status === "stored")).toHaveLength(leaves - 1);

      // A carousel's children carry its caption and posted-at.
      const first = instagram.accounts.values().next().value?.media[3];
      expect(first?.media_type).toBe("CAROUSEL_ALBUM");
      const children = items.filter((i) => first?.children?.some((c) => c.id === i.providerItemId));
      expect(children).toHaveLength(3);
      for (const child of children) {
        expect(child.caption).toBe(first?.caption);
        expect(child.takenAt.toISOString()).toBe(first?.timestamp.toISOString());
      }
      expect(children.map((c) => c.kind).sort()).toEqual(["image", "image", "video"]);

      const account_ = await db.linkedAccount.findUniqueOrThrow({ where: { id: account.id } });
      expect(account_.lastSyncedAt?.toISOString()).toBe(run.startedAt?.toISOString());
    },
  );

  it("fails the file whose length does not match, with the provider's reason, and nothing else", async () => {
    const item = await db.mediaItem.findFirstOrThrow({
      where: { linkedAccountId: account.id, providerItemId: corrupt },
    });
    expect(item.status).toBe("failed");
    expect(item.sha256).toBeNull();
    expect(item.failureReason).toMatch(/bytes where \d+ were promised/);
    const view = await getImportRun(db, account.userId, runId);
    expect(view.errors).toHaveLength(1);
    expect(view.errors[0]).toMatchObject({
      itemId: item.id,
      providerItemId: corrupt,
      code: "integrity",
    });
    expect(JSON.stringify(view)).not.toMatch(/IGAAT|access_token/);
    expect(view.counts).toMatchObject({ failed: 1, pending: 0 });
    expect(view.progress.percent).toBe(100);
  });

  it("fetched the expired URL afresh and stored the item", async () => {
    const item = await db.mediaItem.findFirstOrThrow({
      where: { linkedAccountId: account.id, providerItemId: expiring },
    });
    expect(item.status).toBe("stored");
    const lookups = instagram.requests.filter((r) => r.path.endsWith(`/${expiring}`));
    expect(lookups.length).toBe(2);
  });

  it("waited out the 429 without failing a job or spending an attempt", async () => {
    const queue = jobs.queue("imports");
    const failed = await queue.getFailed();
    expect(failed.map((job) => `${job.name}: ${job.failedReason}`)).toEqual([]);
    const completed = await queue.getCompleted(0, 5000);
    const downloads = completed.filter((job) => job.name === "imports.download");
    expect(downloads.length).toBeGreaterThan(1000);
    // One attempt each: the successful one (a deferral does not count, a retry would).
    const spent = downloads.filter((job) => job.attemptsMade !== 1);
    expect(spent.map((job) => [job.id, job.attemptsMade])).toEqual([]);
    expect(throttled).toMatch(/^\d+:(media|thumb)$/);
    const item = await db.mediaItem.findFirstOrThrow({
      where: { linkedAccountId: account.id, providerItemId: throttled.split(":")[0] ?? "" },
    });
    expect(item.status).toBe("stored");
  });

  it("queued a thumbnail for every stored image, once", async () => {
    const images = await db.mediaItem.count({
      where: { linkedAccountId: account.id, kind: "image", status: "stored" },
    });
    expect(images).toBeGreaterThan(0);
    expect(await jobs.queue("media").getWaitingCount()).toBeGreaterThanOrEqual(images);
  });

  it("leaves every stored item's blob whole and no temp or orphan behind", async () => {
    await expectStorageConsistent(account.id);
  });

  it(
    "adds nothing when imported again (only the failed file is tried again)",
    { timeout: 60_000 },
    async () => {
      const before = await db.mediaItem.count({ where: { linkedAccountId: account.id } });
      const second = await settledRun(db, await startRun(db, jobs, account), 55_000);
      expect(second.status).toBe("completed");
      expect(second.itemsNew).toBe(0);
      expect(second.itemsExisting).toBe(before);
      expect(second.itemsFailed).toBe(1);
      expect(await db.mediaItem.count({ where: { linkedAccountId: account.id } })).toBe(before);
    },
  );

  it("a scheduled sync stops at the first page of known items", { timeout: 30_000 }, async () => {
    const result = await syncLinkedAccounts({ db, jobs, logger: running.logger });
    expect(result.started).toBeGreaterThanOrEqual(1);
    const sync = await db.importRun.findFirstOrThrow({
      where: { linkedAccountId: account.id, trigger: "schedule" },
    });
    const settled = await settledRun(db, sync.id);
    expect(settled.status).toBe("completed");
    expect(settled.pagesDone).toBe(1);
    expect(settled.itemsNew).toBe(0);
  });
});

describe("a Gmail message with two attachments", () => {
  it("becomes two items, each with the mail's subject and date", async () => {
    const google = new GoogleEmulator({ media: 4 });
    serve({ google });
    const account = await seedLinkedAccount(db, cipher, google);
    const run = await settledRun(db, await startRun(db, jobs, account));
    expect(run.status).toBe("completed");
    const message = google.accounts.values().next().value?.messages[0];
    const items = await db.mediaItem.findMany({
      where: { linkedAccountId: account.id, providerItemId: { startsWith: `${message?.id}:` } },
      orderBy: { providerItemId: "asc" },
    });
    expect(items.map((i) => [i.providerItemId, i.kind, i.mime, i.caption, i.originalName])).toEqual(
      [
        [`${message?.id}:1`, "image", "image/png", "Photos", "beach.png"],
        [`${message?.id}:2`, "document", "application/pdf", "Photos", "notes.pdf"],
      ],
    );
    for (const item of items) {
      expect(item.status).toBe("stored");
      expect(item.takenAt.getTime()).toBe(message?.internalDate);
    }
    await expectStorageConsistent(account.id);
  });
});

describe("X posts", () => {
  it("keeps text-only posts as post items and a multi-media post's media one each", async () => {
    const x = new XEmulator({ media: 8 });
    serve({ x });
    const account = await seedLinkedAccount(db, cipher, x);
    // X lists by the user's id: the one the emulator knows.
    await db.linkedAccount.update({
      where: { id: account.id },
      data: { providerAccountId: x.accounts.keys().next().value ?? "" },
    });
    const run = await settledRun(db, await startRun(db, jobs, account), 15_000);
    expect(run.status).toBe("completed");
    const posts = await db.mediaItem.findMany({
      where: { linkedAccountId: account.id, kind: "post" },
      orderBy: { takenAt: "desc" },
    });
    // n % 4 === 0: posts 0 and 4 have no media.
    expect(posts.map((p) => p.caption)).toEqual(["Post 0", "Post 4"]);
    for (const post of posts) {
      expect(post.status).toBe("stored");
      expect(post.sha256).toBeNull();
    }
    // Post 2: two photos and a video, each an item with the post's text.
    const postTwo = await db.mediaItem.findMany({
      where: { linkedAccountId: account.id, caption: "Post 2 https://t.co/x" },
    });
    expect(postTwo.map((i) => i.kind).sort()).toEqual(["image", "image", "video"]);
  });
});

describe("tokens", () => {
  it("a token the provider refuses early is renewed once, and the import goes on", async () => {
    const google = new GoogleEmulator({ media: 2 });
    serve({ google });
    const account = await seedLinkedAccount(db, cipher, google);
    // Valid by its stored expiry, revoked at the provider: the first call gets a 401.
    google.oauth.revokeToken(account.tokens.accessToken);
    const run = await settledRun(db, await startRun(db, jobs, account));
    expect(run.status).toBe("completed");
    expect(tokenCalls(google)).toBe(1);
  });

  it("a dead grant fails the run with needs_relink and flags the account", async () => {
    const x = new XEmulator({ media: 2 });
    serve({ x });
    const account = await seedLinkedAccount(db, cipher, x, { noRefreshToken: true });
    x.oauth.revokeToken(account.tokens.accessToken);
    const run = await settledRun(db, await startRun(db, jobs, account));
    expect(run.status).toBe("failed");
    expect(run.error).toMatch(/^needs_relink: /);
    expect(run.activeFor).toBeNull();
    const row = await db.linkedAccount.findUniqueOrThrow({ where: { id: account.id } });
    expect(row.status).toBe("needs_reauth");
    await expect(startImport({ db, jobs }, account.userId, account.id)).rejects.toMatchObject({
      code: "CONFLICT",
      reason: "needs_relink",
    });
  });
});
