/**
 * media: the timeline's keyset pagination, a 1 GiB upload, and streaming it back.
 *
 *  (a) `media.list` (GET /api/media, 50 items) on a 100,000-item timeline seeded with one
 *      INSERT … SELECT generate_series: a page 90% deep against a page at the top, both asked
 *      with a cursor (the cursors come from walking the timeline), interleaved one request at a
 *      time. A cursor page is never cached, so both measure the query itself; the cached
 *      first page (no cursor) is shown beside them. Target: deep ÷ top ≤ 1.5 (p50 and p99).
 *  (b) A 1 GiB MP4 (an `ftyp` box, then an `mdat` of filler) streamed from disk as a multipart
 *      body to POST /api/media. The server child's RSS is sampled from here
 *      (/proc/<pid>/status) with its high-water mark reset first (clear_refs): the peak
 *      growth must stay under 64 MiB. Its throughput is compared with `cp` of the same file
 *      on the same disk, timed just before. Target ≥ 0.5.
 *  (c) GET /api/media/{id}/content of that item read to the end here, against reading its
 *      blob file here with fs.createReadStream. Target ≥ 0.5.
 */
import { execFile } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { createReadStream } from "node:fs";
import { mkdir, mkdtemp, open, rm, stat } from "node:fs/promises";
import http from "node:http";
import { tmpdir } from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { promisify } from "node:util";

import { blobKey } from "@lifeline/storage";
import Fastify from "fastify";
import pg from "pg";

import type { AreaContext, AreaOutcome, Scenario } from "../harness/area";
import { selected } from "../harness/config";
import { intSetting } from "../harness/env-settings";
import { watchRss } from "../harness/process-memory";
import { createHttpClient, type HttpClient } from "../harness/http-client";
import { metric, type Metric, type Table } from "../harness/metrics";
import type { ServerProcess } from "../harness/server-process";
import { defineServers } from "../harness/serving";
import { registerAndSignIn } from "../harness/sign-in";
import { percentile } from "../harness/stats";

const MiB = 1024 * 1024;
const MB = 1e6;

/** BENCH_MEDIA_* settings; see bench/README.md. */
function readSettings() {
  return {
    items: intSetting("BENCH_MEDIA_ITEMS", 100_000),
    listRequests: intSetting("BENCH_MEDIA_LIST_REQUESTS", 300),
    uploadMiB: intSetting("BENCH_MEDIA_UPLOAD_MIB", 1024),
    streamRounds: intSetting("BENCH_MEDIA_STREAM_ROUNDS", 3),
    timeoutSeconds: intSetting("BENCH_MEDIA_TIMEOUT", 600),
  };
}
type Settings = ReturnType<typeof readSettings>;

/** Budgets no benchmark reaches: the limiters run (and cost) as deployed, never say 429. */
const OUT_OF_REACH = "1000000000";

/**
 * The real app, its media on a directory of the bench's (on the disk `cp` is timed on), and a
 * bare Fastify app in the same process for the ceilings: one route that drains an upload's
 * body without parsing it, one that streams a blob file with fs.createReadStream.
 */
export const mediaServers = defineServers(
  import.meta.url,
  "media-app",
  async (serve, options: { mediaDir: string; maxBytes: number }) => {
    const app = await serve.startApp({
      MEDIA_DIR: options.mediaDir,
      MEDIA_MAX_BYTES: String(options.maxBytes),
      RATE_LIMIT_GLOBAL_MAX: OUT_OF_REACH,
      RATE_LIMIT_MEDIA_MAX: OUT_OF_REACH,
    });
    const bare = Fastify({ logger: false, bodyLimit: options.maxBytes });
    bare.addContentTypeParser("multipart/form-data", (_req, _payload, done) => done(null));
    bare.post("/drain", async (req) => {
      let bytes = 0;
      for await (const chunk of req.raw) bytes += (chunk as Buffer).length;
      return { bytes };
    });
    bare.get<{ Params: { sha256: string } }>("/blob/:sha256", (req, reply) =>
      reply
        .type("application/octet-stream")
        .send(createReadStream(path.join(options.mediaDir, blobKey(req.params.sha256)))),
    );
    return { appUrl: app.url, bareUrl: await serve.listen(bare), pid: process.pid };
  },
);
type MediaServers = ServerProcess<{ appUrl: string; bareUrl: string; pid: number }>;

// --- (a) media.list ---------------------------------------------------------------------------

/**
 * One user's timeline of `count` items in one statement. Photos in bursts of three share a
 * takenAt (so the id tie-break is exercised), every tenth item is a video, seven years back.
 */
async function seedTimeline(databaseUrl: string, userId: string, count: number): Promise<void> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query(
      `INSERT INTO media_items (id, user_id, source, kind, status, taken_at, mime, size_bytes,
         sha256, width, height, thumbnail, created_at, updated_at)
       SELECT gen_random_uuid(), $1::uuid, 'upload',
         (CASE WHEN g % 10 = 0 THEN 'video' ELSE 'image' END)::media_kind, 'stored',
         timestamptz '2019-01-01T00:00:00Z' + (g / 3) * interval '111 minutes',
         CASE WHEN g % 10 = 0 THEN 'video/mp4' ELSE 'image/jpeg' END,
         2000000 + g, encode(sha256(convert_to(g::text, 'UTF8')), 'hex'), 4032, 3024,
         (CASE WHEN g % 10 = 0 THEN 'none' ELSE 'ready' END)::thumbnail_status, now(), now()
       FROM generate_series(1, $2::int) AS g`,
      [userId, count],
    );
    await client.query("ANALYZE media_items");
  } finally {
    await client.end();
  }
}

interface Page {
  items: { id: string; takenAt: string }[];
  nextCursor: string | null;
}

async function listPage(
  client: HttpClient,
  appUrl: string,
  token: string,
  query: { limit: number; cursor?: string },
): Promise<{ page: Page; ms: number }> {
  const params = new URLSearchParams({ limit: String(query.limit) });
  if (query.cursor) params.set("cursor", query.cursor);
  const answer = await client.request("GET", `${appUrl}/api/media?${params.toString()}`, {
    headers: { authorization: `Bearer ${token}` },
  });
  if (answer.status !== 200) {
    throw new Error(`GET /api/media answered ${answer.status}: ${answer.body.slice(0, 300)}`);
  }
  return { page: JSON.parse(answer.body) as Page, ms: answer.ms };
}

/** The cursor after `skip` items, by walking the timeline 200 at a time as a client would. */
async function cursorAfter(
  client: HttpClient,
  appUrl: string,
  token: string,
  skip: number,
): Promise<string> {
  let cursor: string | undefined;
  let seen = 0;
  while (seen < skip) {
    const { page } = await listPage(client, appUrl, token, {
      limit: Math.min(200, skip - seen),
      ...(cursor ? { cursor } : {}),
    });
    seen += page.items.length;
    if (!page.nextCursor) throw new Error(`the timeline ended after ${seen} of ${skip} items`);
    cursor = page.nextCursor;
  }
  if (!cursor) throw new Error("no cursor");
  return cursor;
}

const stats = (samples: number[]) => ({
  p50: percentile(samples, 50),
  p90: percentile(samples, 90),
  p99: percentile(samples, 99),
  max: percentile(samples, 100),
});

async function measureList(
  ctx: AreaContext,
  s: Settings,
  servers: MediaServers,
  token: string,
  userId: string,
): Promise<AreaOutcome> {
  const { appUrl } = servers.info;
  ctx.log(`seeding ${s.items} timeline items (one INSERT … SELECT generate_series)`);
  const seedStart = performance.now();
  await seedTimeline(await ctx.databaseUrl(), userId, s.items);
  const seedSeconds = (performance.now() - seedStart) / 1000;

  const client = createHttpClient({ connections: 1, timeoutMs: 30_000 });
  try {
    const depth = Math.floor(s.items * 0.9);
    ctx.log(`walking the timeline to item ${depth} for the deep cursor`);
    const walkStart = performance.now();
    const deepCursor = await cursorAfter(client, appUrl, token, depth);
    const walkSeconds = (performance.now() - walkStart) / 1000;
    const topCursor = await cursorAfter(client, appUrl, token, 1);
    const limit = 50;
    const top = () => listPage(client, appUrl, token, { limit, cursor: topCursor });
    const deep = () => listPage(client, appUrl, token, { limit, cursor: deepCursor });
    const first = () => listPage(client, appUrl, token, { limit });

    // The pages are what they claim: full, and the deep one really 90% down.
    const [topPage, deepPage] = [(await top()).page, (await deep()).page];
    const failures: string[] = [];
    if (topPage.items.length !== limit || deepPage.items.length !== limit) {
      failures.push(`media.list: pages of ${topPage.items.length} and ${deepPage.items.length}`);
    }
    const newest = (await first()).page.items[0]?.takenAt ?? "";
    const deepAt = deepPage.items[0]?.takenAt ?? "";
    if (!(deepAt < newest)) failures.push("media.list: the deep page is not older than the top");

    const warmup = Math.min(50, s.listRequests);
    ctx.log(`media.list: ${warmup} warm-up, then ${s.listRequests} measured of each page`);
    const times = { top: [] as number[], deep: [] as number[], first: [] as number[] };
    for (let i = 0; i < warmup + s.listRequests; i++) {
      const measured = i >= warmup;
      for (const [name, call] of [
        ["top", top],
        ["deep", deep],
        ["first", first],
      ] as const) {
        const { ms } = await call();
        if (measured) times[name].push(ms);
      }
    }
    const t = { top: stats(times.top), deep: stats(times.deep), first: stats(times.first) };
    const row = (name: string, q: ReturnType<typeof stats>) => [
      name,
      ...[q.p50, q.p90, q.p99, q.max].map((v) => (v === null ? "–" : v.toFixed(2))),
    ];
    const metrics: Metric[] = [
      metric({
        name: "media.list p50, page 90% deep vs top page (both by cursor, uncached)",
        value: t.deep.p50,
        unit: "ms",
        baseline: { name: "top page p50", value: t.top.p50 },
        target: { on: "ratio", op: "≤", threshold: 1.5 },
      }),
      metric({
        name: "media.list p99, page 90% deep vs top page (both by cursor, uncached)",
        value: t.deep.p99,
        unit: "ms",
        baseline: { name: "top page p99", value: t.top.p99 },
        target: { on: "ratio", op: "≤", threshold: 1.5 },
      }),
    ];
    const details: Table[] = [
      {
        title: `media.list latency, ${limit} items a page, ${s.listRequests} sequential requests each, interleaved (ms)`,
        header: ["page", "p50", "p90", "p99", "max"],
        rows: [
          row(`90% deep (cursor after item ${depth} of ${s.items})`, t.deep),
          row("top (cursor after item 1)", t.top),
          row("first page, no cursor (served from the timeline cache)", t.first),
        ],
      },
    ];
    return {
      metrics,
      details,
      notes: [
        `Seeded ${s.items} items in ${seedSeconds.toFixed(1)} s; walking to the deep cursor ` +
          `(${Math.ceil(depth / 200)} requests of 200) took ${walkSeconds.toFixed(1)} s.`,
        "Both compared pages are asked with a cursor, which the app never caches, so they " +
          "measure the keyset query itself (the cache is not turned off: the first page without " +
          "a cursor is cached, shown for comparison).",
      ],
      failures,
      data: { list: { settings: s, limit, depth, latencyMs: t, seedSeconds, walkSeconds } },
    };
  } finally {
    client.close();
  }
}

// --- (b) upload -------------------------------------------------------------------------------

/**
 * A valid-looking MP4 of exactly `size` bytes: an `ftyp` box (the magic bytes the upload
 * types the file by), then one `mdat` box (64-bit size) of random filler, fsynced so the
 * timed copies do not compete with its write-back. Returns its sha256.
 */
async function writeMp4(file: string, size: number): Promise<string> {
  const ftyp = Buffer.alloc(32);
  ftyp.writeUInt32BE(32, 0);
  ftyp.write("ftypisom", 4, "latin1");
  ftyp.writeUInt32BE(0x200, 12);
  ftyp.write("isomiso2avc1mp41", 16, "latin1");
  const mdat = Buffer.alloc(16);
  mdat.writeUInt32BE(1, 0);
  mdat.write("mdat", 4, "latin1");
  mdat.writeBigUInt64BE(BigInt(size - ftyp.length), 8);
  const block = randomBytes(8 * MiB);
  const hash = createHash("sha256");
  const handle = await open(file, "w");
  try {
    let written = 0;
    const write = async (bytes: Buffer) => {
      await handle.write(bytes);
      hash.update(bytes);
      written += bytes.length;
    };
    await write(Buffer.concat([ftyp, mdat]));
    while (written < size) {
      const left = size - written;
      await write(left >= block.length ? block : block.subarray(0, left));
      block.writeUInt32BE(written >>> 0, 0); // no two blocks alike
    }
    await handle.sync();
  } finally {
    await handle.close();
  }
  return hash.digest("hex");
}

const run = promisify(execFile);

/** `cp` of the file on the same disk; then the copy flushed to it (fdatasync), timed apart. */
async function timeCp(source: string, target: string) {
  const start = performance.now();
  await run("cp", [source, target]);
  const cpMs = performance.now() - start;
  const handle = await open(target, "r+");
  try {
    await handle.datasync();
  } finally {
    await handle.close();
  }
  const syncMs = performance.now() - start - cpMs;
  await rm(target, { force: true });
  return { cpMs, syncMs };
}

interface UploadAnswer {
  status: number;
  body: string;
  ms: number;
}

/** The file as one multipart part named "file", streamed from disk; the time to the answer. */
function uploadFile(
  url: string,
  token: string,
  file: string,
  size: number,
  timeoutMs: number,
): Promise<UploadAnswer> {
  const boundary = `lifeline-bench-${randomBytes(12).toString("hex")}`;
  const head = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="bench.mp4"\r\n` +
      "Content-Type: video/mp4\r\n\r\n",
  );
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const req = http.request(url, {
      method: "POST",
      headers: {
        authorization: `Bearer ${token}`,
        "content-type": `multipart/form-data; boundary=${boundary}`,
        "content-length": head.length + size + tail.length,
      },
    });
    const timer = setTimeout(() => {
      req.destroy(new Error(`no answer within ${timeoutMs} ms`));
    }, timeoutMs);
    req.on("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    req.on("response", (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("error", reject);
      res.on("end", () => {
        clearTimeout(timer);
        resolve({
          status: res.statusCode ?? 0,
          body: Buffer.concat(chunks).toString("utf8"),
          ms: performance.now() - started,
        });
      });
    });
    req.write(head);
    const body = createReadStream(file, { highWaterMark: MiB });
    body.on("error", (error) => req.destroy(error));
    body.on("end", () => req.end(tail));
    body.pipe(req, { end: false });
  });
}

// --- (c) content ------------------------------------------------------------------------------

/** GET a URL and read the body to its end, discarding it: bytes and ms. */
function readUrl(url: string, token: string, timeoutMs: number) {
  return new Promise<{ status: number; bytes: number; ms: number }>((resolve, reject) => {
    const started = performance.now();
    const req = http.get(url, { headers: { authorization: `Bearer ${token}` } }, (res) => {
      let bytes = 0;
      res.on("data", (chunk: Buffer) => (bytes += chunk.length));
      res.on("error", reject);
      res.on("end", () => {
        clearTimeout(timer);
        resolve({ status: res.statusCode ?? 0, bytes, ms: performance.now() - started });
      });
    });
    const timer = setTimeout(() => {
      req.destroy(new Error(`no answer within ${timeoutMs} ms`));
    }, timeoutMs);
    req.on("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}

/** The file read to its end with fs.createReadStream (its default 64 KiB chunks): bytes, ms. */
async function readFileStream(file: string) {
  const started = performance.now();
  let bytes = 0;
  for await (const chunk of createReadStream(file)) bytes += (chunk as Buffer).length;
  return { bytes, ms: performance.now() - started };
}

const mbps = (bytes: number, ms: number) => bytes / MB / (ms / 1000);

async function measureUploadAndContent(
  ctx: AreaContext,
  s: Settings,
  servers: MediaServers,
  token: string,
  workDir: string,
  mediaDir: string,
): Promise<AreaOutcome> {
  const { appUrl, bareUrl, pid } = servers.info;
  const size = s.uploadMiB * MiB;
  const source = path.join(workDir, "bench-upload.mp4");
  const timeoutMs = s.timeoutSeconds * 1000;
  ctx.log(`writing a ${s.uploadMiB} MiB MP4 to ${workDir}`);
  const sha256 = await writeMp4(source, size);

  ctx.log("cp of the same file (baseline)");
  const cp = await timeCp(source, path.join(workDir, "cp-copy.mp4"));

  ctx.log(`uploading ${s.uploadMiB} MiB to POST /api/media`);
  if (ctx.config.cpuProfile) await servers.startProfile();
  const cpuBefore = await servers.cpuTime();
  const stopWatching = watchRss(pid);
  const upload = await uploadFile(`${appUrl}/api/media`, token, source, size, timeoutMs);
  const rss = stopWatching();
  const cpuAfter = await servers.cpuTime();
  if (ctx.config.cpuProfile) {
    await servers.stopProfile(ctx.outputPath("profiles", "upload.cpuprofile"));
  }
  const failures: string[] = [];
  if (upload.status < 200 || upload.status >= 300) {
    failures.push(
      `upload: POST /api/media answered ${upload.status}: ${upload.body.slice(0, 300)}`,
    );
    return { metrics: [], details: [], notes: [], failures, data: { upload } };
  }
  const answer = JSON.parse(upload.body) as { item?: { id?: string; sha256?: string } };
  const itemId = answer.item?.id;
  if (!itemId || answer.item?.sha256 !== sha256) {
    failures.push(
      `upload: the answer does not name the file's sha256: ${upload.body.slice(0, 300)}`,
    );
    return { metrics: [], details: [], notes: [], failures, data: { upload } };
  }
  const uploadCpuMs = (cpuAfter.user - cpuBefore.user + cpuAfter.system - cpuBefore.system) / 1000;
  // The ceiling: the same body sent the same way to a route that only drains it.
  const drained = await uploadFile(`${bareUrl}/drain`, token, source, size, timeoutMs);
  if (drained.status !== 200) failures.push(`upload: the bare drain answered ${drained.status}`);

  const blobFile = path.join(mediaDir, blobKey(sha256));
  if ((await stat(blobFile)).size !== size)
    failures.push("upload: the stored blob has another size");
  const content = { app: [] as number[], disk: [] as number[], bare: [] as number[] };
  ctx.log(`content: ${s.streamRounds} round(s) of GET …/content and fs.createReadStream`);
  for (let round = 0; round < s.streamRounds; round++) {
    const profile = ctx.config.cpuProfile && round === 0;
    if (profile) await servers.startProfile();
    const got = await readUrl(`${appUrl}/api/media/${itemId}/content`, token, timeoutMs);
    if (profile) await servers.stopProfile(ctx.outputPath("profiles", "content.cpuprofile"));
    if (got.status !== 200 || got.bytes !== size) {
      failures.push(`content: GET answered ${got.status} with ${got.bytes} of ${size} bytes`);
      break;
    }
    content.app.push(got.ms);
    content.disk.push((await readFileStream(blobFile)).ms);
    const bare = await readUrl(`${bareUrl}/blob/${sha256}`, token, timeoutMs);
    if (bare.bytes === size) content.bare.push(bare.ms);
  }

  const uploadRate = mbps(size, upload.ms);
  const cpRate = mbps(size, cp.cpMs);
  const cpSyncRate = mbps(size, cp.cpMs + cp.syncMs);
  const appMs = percentile(content.app, 50);
  const diskMs = percentile(content.disk, 50);
  const bareMs = percentile(content.bare, 50);
  const appRate = appMs === null ? null : mbps(size, appMs);
  const diskRate = diskMs === null ? null : mbps(size, diskMs);
  const mib = (bytes: number) => (bytes / MiB).toFixed(1);

  return {
    metrics: [
      metric({
        name: `upload ${s.uploadMiB} MiB: server peak RSS growth`,
        value: rss.growth / MiB,
        unit: "MiB",
        target: { on: "value", op: "<", threshold: 64 },
      }),
      metric({
        name: `upload ${s.uploadMiB} MiB: MB/s vs cp on the same disk`,
        value: uploadRate,
        unit: "MB/s",
        baseline: { name: "cp", value: cpRate },
        target: { on: "ratio", op: "≥", threshold: 0.5 },
      }),
      metric({
        name: "content stream MB/s vs fs.createReadStream of the blob",
        value: appRate,
        unit: "MB/s",
        baseline: { name: "fs.createReadStream", value: diskRate },
        target: { on: "ratio", op: "≥", threshold: 0.5 },
      }),
    ],
    details: [
      {
        title: `Upload of ${s.uploadMiB} MiB (POST /api/media, multipart, one request)`,
        header: ["what", "seconds", "MB/s", "note"],
        rows: [
          ["upload (to the 201 answer)", (upload.ms / 1000).toFixed(2), uploadRate.toFixed(0), ""],
          [
            "the same body to a bare Fastify route that only drains it",
            (drained.ms / 1000).toFixed(2),
            mbps(size, drained.ms).toFixed(0),
            "the ceiling: this client, loopback HTTP, no parsing or storage",
          ],
          ["cp", (cp.cpMs / 1000).toFixed(2), cpRate.toFixed(0), "the target's baseline"],
          [
            "cp, then fdatasync of the copy",
            ((cp.cpMs + cp.syncMs) / 1000).toFixed(2),
            cpSyncRate.toFixed(0),
            "the upload also fsyncs its blob before answering",
          ],
        ],
      },
      {
        title: "Server process memory during the upload (MiB)",
        header: ["RSS before", "peak RSS", "growth", "how the peak was read"],
        rows: [
          [
            mib(rss.before),
            mib(rss.peak),
            mib(rss.growth),
            rss.hwmReset
              ? `VmHWM after a reset (exact), and ${rss.samples} VmRSS samples`
              : `${rss.samples} VmRSS samples, 5 ms apart (VmHWM reset refused)`,
          ],
        ],
      },
      {
        title: `Content streaming, ${s.streamRounds} round(s), median shown`,
        header: ["reader", "seconds", "MB/s"],
        rows: [
          [
            "GET /api/media/{id}/content, read here",
            appMs === null ? "–" : (appMs / 1000).toFixed(2),
            appRate === null ? "–" : appRate.toFixed(0),
          ],
          [
            "bare Fastify route sending fs.createReadStream of the blob, read here",
            bareMs === null ? "–" : (bareMs / 1000).toFixed(2),
            bareMs === null ? "–" : mbps(size, bareMs).toFixed(0),
          ],
          [
            "fs.createReadStream of the blob file, here",
            diskMs === null ? "–" : (diskMs / 1000).toFixed(2),
            diskRate === null ? "–" : diskRate.toFixed(0),
          ],
        ],
      },
    ],
    notes: [
      `The upload cost the server ${(uploadCpuMs / 1000).toFixed(1)} s of CPU ` +
        `(${((uploadCpuMs / upload.ms) * 100).toFixed(0)}% of a core while it ran): parsing the ` +
        "multipart body, hashing (sha256) and writing.",
      "The file, the cp copy and the server's MEDIA_DIR share one filesystem; with this much " +
        "memory the file is in the page cache for every reader, so these are CPU and copy " +
        "costs, not the disk's speed.",
    ],
    failures,
    data: {
      upload: {
        settings: s,
        bytes: size,
        uploadMs: upload.ms,
        drainMs: drained.ms,
        cp,
        rss,
        uploadCpuMs,
        contentMs: content,
      },
    },
  };
}

export const media: Scenario = {
  area: "media",
  title: "Timeline pages deep and shallow; a 1 GiB upload's memory and speed; streaming it back",
  async run(ctx) {
    const s = readSettings();
    const workDir = await mkdtemp(path.join(tmpdir(), "lifeline-bench-media-"));
    ctx.onCleanup("remove the media files", () => rm(workDir, { recursive: true, force: true }));
    const mediaDir = path.join(workDir, "media");
    await mkdir(mediaDir);
    const servers = await ctx.spawnServers(mediaServers, {
      mediaDir,
      maxBytes: Math.max(2 * 1024 * MiB, s.uploadMiB * MiB + MiB),
    });
    const token = await registerAndSignIn(servers.info.appUrl);
    const me = await fetch(`${servers.info.appUrl}/api/auth/me`, {
      headers: { authorization: `Bearer ${token}` },
    });
    const userId = ((await me.json()) as { user: { id: string } }).user.id;

    const parts: AreaOutcome[] = [];
    if (selected(ctx.config, "media.list")) {
      parts.push(await measureList(ctx, s, servers, token, userId));
    }
    if (selected(ctx.config, "upload") || selected(ctx.config, "content")) {
      parts.push(await measureUploadAndContent(ctx, s, servers, token, workDir, mediaDir));
    }
    return {
      metrics: parts.flatMap((p) => p.metrics),
      details: parts.flatMap((p) => p.details),
      notes: parts.flatMap((p) => p.notes),
      failures: parts.flatMap((p) => p.failures),
      data: Object.assign({}, ...parts.map((p) => p.data)) as Record<string, unknown>,
    };
  },
};
