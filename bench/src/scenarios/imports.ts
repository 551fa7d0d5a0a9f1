/**
 * imports: a linked account's import through the jobs app, against an emulated provider.
 *
 *  1. Items per second: an Instagram emulator over real HTTP from this process, every answer
 *     after a fixed latency (default 50 ms), with N posts (default 600; carousels of three
 *     make ~730 items). The jobs app (production settings, its real imports worker,
 *     JOBS_CONCURRENCY_IMPORTS and JOBS_IMPORT_ACCOUNT_CONCURRENCY at their defaults) runs in
 *     a child process; the clock runs from imports.start's work (startImport) until the run
 *     is completed: every listing page, then per item a fresh media URL, the CDN download,
 *     the ingest (temp, magic bytes, sha256, commit under the blob lock) and the row.
 *     Baselines, same run: the same two provider calls per item (fresh URL, then the bytes
 *     read to the end) from this process, one at a time and at the account's concurrency:
 *     what an import would cost if all it did was wait on the provider.
 *  2. Memory: the same jobs process downloads one 1 GiB video (streamed by the emulator
 *     from a generator, never in memory); its peak RSS growth over the download, against a
 *     64 MiB target (VmHWM reset first, as the media area does).
 */
import { randomBytes, randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";

import {
  createTokenCipher,
  encryptAccountTokens,
  generateCipherKey,
  parseCipherKeys,
  startImport,
} from "@lifeline/core";
import { createDb, type Db } from "@lifeline/db";
import { jobsEnvSchema, parseEnv } from "@lifeline/env";
import { startJobsApp } from "@lifeline/jobs/testing";
import { silentLogger } from "@lifeline/logger";
import { standinCredentials } from "@lifeline/providers";
import { InstagramEmulator, type InstagramMedia } from "@lifeline/providers/testing";
import { createJobProducer, createRedis, waitForRedis, type JobProducer } from "@lifeline/queue";

import type { AreaContext, AreaOutcome, Scenario } from "../harness/area";
import { intSetting } from "../harness/env-settings";
import { formatNumber } from "../harness/markdown";
import { metric } from "../harness/metrics";
import { deleteKeysWithPrefix } from "../harness/redis-keys";
import { defineServers } from "../harness/serving";
import { watchRss } from "../harness/process-memory";

const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
const MIB = 1024 * 1024;

/** BENCH_IMPORTS_* settings; see bench/README.md. */
function readSettings() {
  return {
    posts: intSetting("BENCH_IMPORTS_POSTS", 600),
    latencyMs: intSetting("BENCH_IMPORTS_LATENCY_MS", 50, { min: 0 }),
    // The jobs app's defaults (JOBS_CONCURRENCY_IMPORTS, JOBS_IMPORT_ACCOUNT_CONCURRENCY).
    concurrency: intSetting("BENCH_IMPORTS_CONCURRENCY", 8),
    perAccount: intSetting("BENCH_IMPORTS_PER_ACCOUNT", 4),
    videoMiB: intSetting("BENCH_IMPORTS_VIDEO_MIB", 1024),
    timeoutSeconds: intSetting("BENCH_IMPORTS_TIMEOUT", 600),
  };
}
type Settings = ReturnType<typeof readSettings>;

/** The jobs app as deployed (production settings, every real worker), without schedules. */
export const importsServers = defineServers(
  import.meta.url,
  "imports-jobs-app",
  async (
    serve,
    options: {
      redisKeyPrefix: string;
      providerUrl: string;
      keys: string;
      mediaDir: string;
      concurrency: number;
      perAccount: number;
    },
  ) => {
    const instagram = standinCredentials("instagram");
    const env = parseEnv(jobsEnvSchema, {
      NODE_ENV: "production",
      LOG_LEVEL: serve.config.logLevel,
      DATABASE_URL: serve.databaseUrl,
      REDIS_URL,
      REDIS_KEY_PREFIX: options.redisKeyPrefix,
      TOKEN_SECRET: randomBytes(32).toString("base64"),
      TOKEN_ENCRYPTION_KEYS: options.keys,
      MEDIA_DIR: options.mediaDir,
      // Required in production; no email is sent here.
      SMTP_URL: "smtp://127.0.0.1:1",
      JOBS_CONCURRENCY_IMPORTS: String(options.concurrency),
      JOBS_IMPORT_ACCOUNT_CONCURRENCY: String(options.perAccount),
      INSTAGRAM_CLIENT_ID: instagram.clientId,
      INSTAGRAM_CLIENT_SECRET: instagram.clientSecret,
      INSTAGRAM_BASE_URL: options.providerUrl,
    });
    const app = await startJobsApp({ env, logger: serve.logger, schedules: [] });
    serve.onClose(async () => {
      for (const step of app.shutdownSteps) await step.close();
    });
    return { pid: process.pid };
  },
);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** An MP4-looking stream of `size` bytes (ftyp, then one mdat box), made as it is sent. */
function writeBigVideo(res: ServerResponse, size: number): void {
  const ftyp = Buffer.concat([
    Buffer.from([0, 0, 0, 24]),
    Buffer.from("ftypisom", "ascii"),
    Buffer.from([0, 0, 2, 0]),
    Buffer.from("isomiso2", "ascii"),
  ]);
  const mdat = Buffer.alloc(8);
  mdat.writeUInt32BE(1); // a 64-bit size would follow; the ingest reads only the type
  mdat.write("mdat", 4, "ascii");
  res.writeHead(200, { "content-type": "video/mp4", "content-length": String(size) });
  res.write(Buffer.concat([ftyp, mdat]));
  let left = size - ftyp.length - mdat.length;
  const chunk = randomBytes(256 * 1024);
  const pump = () => {
    while (left > 0) {
      const part = left >= chunk.length ? chunk : chunk.subarray(0, left);
      left -= part.length;
      if (!res.write(part)) {
        res.once("drain", pump);
        return;
      }
    }
    res.end();
  };
  pump();
}

/**
 * The Instagram emulator over real HTTP, every answer after `latencyMs`; the CDN asset of
 * `bigVideoId` is a streamed video of `bigVideoBytes`.
 */
async function startSlowInstagram(
  emulator: InstagramEmulator,
  latencyMs: number,
  big: { id: string; bytes: number },
) {
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    void (async () => {
      // Requests here carry no body worth reading; drain it so the socket can be reused.
      req.resume();
      await sleep(latencyMs);
      const url = req.url ?? "/";
      if (url.startsWith(`/cdn/${encodeURIComponent(`${big.id}:media`)}?`)) {
        writeBigVideo(res, big.bytes);
        return;
      }
      const headers = new Headers();
      for (const [name, value] of Object.entries(req.headers)) {
        if (typeof value === "string") headers.set(name, value);
      }
      const answer = await emulator.handle(
        new Request(`http://${req.headers.host ?? "localhost"}${url}`, {
          method: req.method ?? "GET",
          headers,
        }),
      );
      res.writeHead(answer.status, Object.fromEntries(answer.headers));
      res.end(Buffer.from(await answer.arrayBuffer()));
    })().catch((error: unknown) => {
      res.writeHead(500);
      res.end(String(error));
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A user and a linked Instagram account whose token the emulator issued. */
async function seedAccount(db: Db, emulator: InstagramEmulator, keys: string, account: string) {
  const cipher = createTokenCipher(parseCipherKeys(keys));
  const access = emulator.issueLongLived(account);
  const user = await db.user.create({
    data: { email: `bench-imports-${randomUUID()}@example.com`, passwordHash: "x".repeat(60) },
  });
  const id = randomUUID();
  await db.linkedAccount.create({
    data: {
      id,
      userId: user.id,
      provider: "instagram",
      providerAccountId: `bench-${account}`,
      status: "active",
      ...encryptAccountTokens(cipher, id, {
        accessToken: access.token,
        expiresAt: access.expiresAt === null ? null : new Date(access.expiresAt),
        scopes: access.grant.scopes,
        issuedAt: new Date(access.issuedAt),
      }),
    },
  });
  return { id, userId: user.id, accessToken: access.token };
}

async function runToEnd(db: Db, runId: string, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const run = await db.importRun.findUniqueOrThrow({ where: { id: runId } });
    if (run.status === "completed" || run.status === "failed") return run;
    if (Date.now() > deadline) throw new Error(`import ${runId} did not finish in ${timeoutMs} ms`);
    await sleep(20);
  }
}

/** The leaf media ids of the account (carousel children one each), as the import sees them. */
function leafIds(media: InstagramMedia[]): string[] {
  return media.flatMap((m) => (m.children ? m.children.map((c) => c.id) : [m.id]));
}

/** The provider calls an import makes per item, from here: fresh URL, then the bytes. */
async function bareFetches(
  baseUrl: string,
  token: string,
  ids: string[],
  concurrency: number,
): Promise<number> {
  let next = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < ids.length) {
        const id = ids[next++] ?? "";
        const lookup = await fetch(
          `${baseUrl}/v25.0/${id}?fields=media_url,thumbnail_url&access_token=${token}`,
        );
        const urls = (await lookup.json()) as { media_url?: string; thumbnail_url?: string };
        const file = await fetch(urls.media_url ?? urls.thumbnail_url ?? "");
        await file.arrayBuffer();
      }
    }),
  );
  return performance.now() - start;
}

async function measure(ctx: AreaContext, s: Settings, prefix: string): Promise<AreaOutcome> {
  const keys = generateCipherKey("bench");
  const emulator = new InstagramEmulator({ media: s.posts });
  const bigAccount = "5550001112223334";
  emulator.addAccount({
    id: bigAccount,
    userId: "17841400999999999",
    username: "big.video",
    name: "Big Video",
    accountType: "CREATOR",
    media: [
      {
        id: "18999999999999999",
        caption: "One long video",
        media_type: "VIDEO",
        media_product_type: "REELS",
        timestamp: new Date(),
      },
    ],
  });
  const mainAccount = emulator.accounts.keys().next().value ?? "";
  const provider = await startSlowInstagram(emulator, s.latencyMs, {
    id: "18999999999999999",
    bytes: s.videoMiB * MIB,
  });
  ctx.onCleanup("stop the emulated provider", provider.close);
  const mediaDir = mkdtempSync(path.join(tmpdir(), "lifeline-bench-imports-"));
  ctx.onCleanup("remove the media folder", async () => {
    rmSync(mediaDir, { recursive: true, force: true });
  });

  const databaseUrl = await ctx.databaseUrl();
  const db = createDb(databaseUrl, { maxConnections: 2 });
  const redis = createRedis(REDIS_URL, silentLogger(), "client");
  const jobs: JobProducer = createJobProducer({ connection: redis, redisKeyPrefix: prefix });
  try {
    await waitForRedis(redis, 2000);
    const main = await seedAccount(db, emulator, keys, mainAccount);
    const big = await seedAccount(db, emulator, keys, bigAccount);
    const child = await ctx.spawnServers(importsServers, {
      redisKeyPrefix: prefix,
      providerUrl: provider.url,
      keys,
      mediaDir,
      concurrency: s.concurrency,
      perAccount: s.perAccount,
    });
    const timeoutMs = s.timeoutSeconds * 1000;
    const ids = leafIds(emulator.accounts.get(mainAccount)?.media ?? []);

    ctx.log(
      `baseline: ${ids.length} items' provider calls, one at a time and ${s.perAccount} at once`,
    );
    const sequentialMs = await bareFetches(provider.url, main.accessToken, ids, 1);
    const concurrentMs = await bareFetches(provider.url, main.accessToken, ids, s.perAccount);

    ctx.log(`import: ${s.posts} posts (${ids.length} items) through the jobs app`);
    if (ctx.config.cpuProfile) await child.startProfile();
    const cpuBefore = await child.cpuTime();
    const started = performance.now();
    const { run } = await startImport({ db, jobs }, main.userId, main.id);
    const done = await runToEnd(db, run.id, timeoutMs);
    const importMs = performance.now() - started;
    const cpuAfter = await child.cpuTime();
    if (ctx.config.cpuProfile) {
      await child.stopProfile(ctx.outputPath("profiles", "import.cpuprofile"));
    }
    const failures: string[] = [];
    if (done.status !== "completed" || done.itemsFailed > 0 || done.itemsNew !== ids.length) {
      failures.push(
        `import ${done.status}: ${done.itemsNew} new, ${done.itemsFailed} failed of ${ids.length} (${done.error ?? "no error"})`,
      );
    }

    ctx.log(`memory: one ${s.videoMiB} MiB video through the same jobs process`);
    const stopWatching = watchRss(child.info.pid);
    const videoStarted = performance.now();
    const bigRun = await startImport({ db, jobs }, big.userId, big.id);
    const bigDone = await runToEnd(db, bigRun.run.id, timeoutMs);
    const videoMs = performance.now() - videoStarted;
    const rss = stopWatching();
    if (bigDone.status !== "completed" || bigDone.itemsFailed > 0) {
      failures.push(
        `the ${s.videoMiB} MiB import ${bigDone.status}: ${JSON.stringify(bigDone.errors)}`,
      );
    }

    const perSecond = (ms: number) => (ids.length / ms) * 1000;
    const imported = perSecond(importMs);
    return {
      metrics: [
        metric({
          name: `items imported per second (${s.latencyMs} ms provider latency)`,
          value: imported,
          unit: "items/s",
          baseline: {
            name: `bare provider calls, ${s.perAccount} at once`,
            value: perSecond(concurrentMs),
          },
          note: "Per account, downloads are bounded by JOBS_IMPORT_ACCOUNT_CONCURRENCY, as the baseline is.",
        }),
        metric({
          name: `jobs process peak RSS growth over a ${s.videoMiB} MiB video import`,
          value: rss.growth / MIB,
          unit: "MiB",
          target: { on: "value", op: "<", threshold: 64 },
        }),
      ],
      details: [
        {
          title: `Import of ${ids.length} items (${s.posts} posts, ${done.pagesDone} pages), ${s.latencyMs} ms per provider answer`,
          header: ["what", "seconds", "items/s"],
          rows: [
            [
              "jobs app: startImport → run completed",
              (importMs / 1000).toFixed(2),
              formatNumber(imported),
            ],
            [
              "bare provider calls, one at a time",
              (sequentialMs / 1000).toFixed(2),
              formatNumber(perSecond(sequentialMs)),
            ],
            [
              `bare provider calls, ${s.perAccount} at once`,
              (concurrentMs / 1000).toFixed(2),
              formatNumber(perSecond(concurrentMs)),
            ],
          ],
        },
        {
          title: `One ${s.videoMiB} MiB video import`,
          header: ["what", "value"],
          rows: [
            ["seconds", (videoMs / 1000).toFixed(2)],
            ["MB/s", formatNumber((s.videoMiB * MIB) / 1e6 / (videoMs / 1000))],
            ["RSS before (MiB)", formatNumber(rss.before / MIB)],
            ["RSS peak (MiB)", formatNumber(rss.peak / MIB)],
            [
              "peak measured by",
              rss.hwmReset ? "VmHWM after a reset (exact)" : `${rss.samples} VmRSS samples`,
            ],
          ],
        },
      ],
      notes: [
        `The jobs process used ${((cpuAfter.user - cpuBefore.user + cpuAfter.system - cpuBefore.system) / 1e6).toFixed(2)} s of CPU for the ${ids.length}-item import.`,
      ],
      failures,
      data: {
        settings: s,
        items: ids.length,
        importMs,
        sequentialMs,
        concurrentMs,
        videoMs,
        rss,
      },
    };
  } finally {
    await jobs.close();
    redis.disconnect();
    await db.$disconnect();
  }
}

export const imports: Scenario = {
  area: "imports",
  title: "Items imported per second from an emulated provider; jobs RSS over a 1 GiB download",
  async run(ctx) {
    const s = readSettings();
    const prefix = `lifeline:bench:imports-${randomBytes(4).toString("hex")}:`;
    ctx.onCleanup("delete the imports area's Redis keys", () =>
      deleteKeysWithPrefix(REDIS_URL, prefix),
    );
    return measure(ctx, s, prefix);
  },
};
