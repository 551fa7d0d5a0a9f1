/**
 * accounts: the 6-hourly token refresh sweep at scale.
 *
 * N linked X accounts (default 10,000), all due, their tokens issued by an X emulator that
 * answers every request after a fixed latency (default 50 ms) over real HTTP from this
 * process. The jobs app (production settings, its real workers, JOBS_CONCURRENCY_ACCOUNTS)
 * runs in a child process; the clock runs from enqueueing the sweep until every refresh job
 * has completed: the sweep's paged due query and bulk enqueue, then per account the lock,
 * the read, decryption, the provider call, encryption and the one write.
 *
 * Baseline, same run: N bare HTTP calls to the same server at the same latency and
 * concurrency from this process (what the sweep would cost if all it did was wait on the
 * provider). Target: the sweep under 60 s.
 */
import { randomBytes, randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { performance } from "node:perf_hooks";

import {
  createTokenCipher,
  encryptAccountTokens,
  generateCipherKey,
  parseCipherKeys,
} from "@lifeline/core";
import { createDb } from "@lifeline/db";
import { jobsEnvSchema, parseEnv } from "@lifeline/env";
import { startJobsApp } from "@lifeline/jobs/testing";
import { silentLogger } from "@lifeline/logger";
import { standinCredentials } from "@lifeline/providers";
import { XEmulator } from "@lifeline/providers/testing";
import { createJobProducer, createRedis, refreshSweepJob, waitForRedis } from "@lifeline/queue";

import type { AreaContext, AreaOutcome, Scenario } from "../harness/area";
import { intSetting } from "../harness/env-settings";
import { formatNumber } from "../harness/markdown";
import { metric } from "../harness/metrics";
import { deleteKeysWithPrefix } from "../harness/redis-keys";
import { defineServers } from "../harness/serving";

const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";

/** BENCH_ACCOUNTS_* settings; see bench/README.md. */
function readSettings() {
  return {
    accounts: intSetting("BENCH_ACCOUNTS_COUNT", 10_000),
    latencyMs: intSetting("BENCH_ACCOUNTS_LATENCY_MS", 50, { min: 0 }),
    // The jobs app's own default (JOBS_CONCURRENCY_ACCOUNTS), passed so both sides use it.
    concurrency: intSetting("BENCH_ACCOUNTS_CONCURRENCY", 32),
    timeoutSeconds: intSetting("BENCH_ACCOUNTS_TIMEOUT", 600),
  };
}
type Settings = ReturnType<typeof readSettings>;

/** The jobs app as deployed (production settings, every real worker), without schedules. */
export const accountsServers = defineServers(
  import.meta.url,
  "accounts-jobs-app",
  async (
    serve,
    options: { redisKeyPrefix: string; providerUrl: string; keys: string; concurrency: number },
  ) => {
    const x = standinCredentials("x");
    const env = parseEnv(jobsEnvSchema, {
      NODE_ENV: "production",
      LOG_LEVEL: serve.config.logLevel,
      DATABASE_URL: serve.databaseUrl,
      REDIS_URL,
      REDIS_KEY_PREFIX: options.redisKeyPrefix,
      // Required in production; this run sends no email (every account refreshes fine).
      SMTP_URL: "smtp://127.0.0.1:1",
      TOKEN_SECRET: randomBytes(32).toString("base64"),
      TOKEN_ENCRYPTION_KEYS: options.keys,
      JOBS_CONCURRENCY_ACCOUNTS: String(options.concurrency),
      X_CLIENT_ID: x.clientId,
      X_CLIENT_SECRET: x.clientSecret,
      X_BASE_URL: options.providerUrl,
    });
    const app = await startJobsApp({ env, logger: serve.logger, schedules: [] });
    serve.onClose(async () => {
      for (const step of app.shutdownSteps) await step.close();
    });
    return { pid: process.pid };
  },
);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/**
 * The X emulator over real HTTP, every answer after `latencyMs`; `/bare` answers a token-sized
 * JSON after the same wait without any emulator work (the baseline's endpoint).
 */
async function startSlowProvider(emulator: XEmulator, latencyMs: number) {
  let tokenCalls = 0;
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    void (async () => {
      const body = await readBody(req);
      await sleep(latencyMs);
      if (req.url === "/bare") {
        res.writeHead(200, { "content-type": "application/json" });
        res.end(JSON.stringify({ token_type: "bearer", access_token: "x".repeat(40) }));
        return;
      }
      if (req.url?.startsWith("/2/oauth2/token")) tokenCalls += 1;
      const headers = new Headers();
      for (const [name, value] of Object.entries(req.headers)) {
        if (typeof value === "string") headers.set(name, value);
      }
      const answer = await emulator.handle(
        new Request(`http://${req.headers.host ?? "localhost"}${req.url ?? "/"}`, {
          method: req.method ?? "GET",
          headers,
          ...(body.length > 0 ? { body: new Uint8Array(body) } : {}),
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
    tokenCalls: () => tokenCalls,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** N due X accounts with tokens the emulator issued, encrypted under `keys`. */
async function seedAccounts(
  databaseUrl: string,
  emulator: XEmulator,
  keys: string,
  count: number,
): Promise<void> {
  const cipher = createTokenCipher(parseCipherKeys(keys));
  const db = createDb(databaseUrl, { maxConnections: 2 });
  try {
    const run = randomBytes(3).toString("hex");
    const users = Array.from({ length: Math.ceil(count / 100) }, () => randomUUID());
    await db.user.createMany({
      data: users.map((id, i) => ({
        id,
        email: `bench-accounts-${run}-${i}@example.com`,
        passwordHash: "x".repeat(60),
      })),
    });
    for (let start = 0; start < count; start += 1000) {
      const rows = Array.from({ length: Math.min(1000, count - start) }, (_, j) => {
        const n = start + j;
        const grant = emulator.grant();
        // Half an hour left: due at any sweep (X access tokens live 2 h).
        const access = emulator.oauth.issueAccess(grant, 30 * 60_000);
        const refresh = emulator.oauth.issueRefresh(grant, 180 * 24 * 3600_000);
        const id = randomUUID();
        return {
          id,
          userId: users[Math.floor(n / 100)] ?? "",
          provider: "x" as const,
          providerAccountId: `bench-${run}-${n}`,
          ...encryptAccountTokens(cipher, id, {
            accessToken: access.token,
            refreshToken: refresh.token,
            expiresAt: new Date(access.expiresAt ?? Date.now()),
            scopes: grant.scopes,
            issuedAt: new Date(access.issuedAt),
          }),
        };
      });
      await db.linkedAccount.createMany({ data: rows });
    }
  } finally {
    await db.$disconnect();
  }
}

/** `count` POSTs to `url`, `concurrency` at a time; ms taken and how many were not 2xx. */
async function bareCalls(url: string, count: number, concurrency: number) {
  let left = count;
  let failed = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (left > 0) {
        left -= 1;
        const res = await fetch(url, {
          method: "POST",
          headers: { "content-type": "application/x-www-form-urlencoded" },
          body: "grant_type=refresh_token&refresh_token=bench",
        });
        await res.arrayBuffer();
        if (!res.ok) failed += 1;
      }
    }),
  );
  return { ms: performance.now() - start, failed };
}

async function refreshSweep(ctx: AreaContext, s: Settings, prefix: string): Promise<AreaOutcome> {
  const emulator = new XEmulator({ media: 0 });
  const provider = await startSlowProvider(emulator, s.latencyMs);
  ctx.onCleanup("stop the emulated provider", provider.close);
  const keys = generateCipherKey("bench-1");
  const databaseUrl = await ctx.databaseUrl();
  ctx.log(`seeding ${s.accounts} due X accounts`);
  await seedAccounts(databaseUrl, emulator, keys, s.accounts);
  const child = await ctx.spawnServers(accountsServers, {
    redisKeyPrefix: prefix,
    providerUrl: provider.url,
    keys,
    concurrency: s.concurrency,
  });
  const redis = createRedis(REDIS_URL, silentLogger(), "client");
  const jobs = createJobProducer({ connection: redis, redisKeyPrefix: prefix });
  try {
    await waitForRedis(redis, 2000);
    const queue = jobs.queue("accounts");
    ctx.log(`sweep: ${s.accounts} due accounts, ${s.concurrency} refreshes at a time`);
    if (ctx.config.cpuProfile) await child.startProfile();
    const cpuBefore = await child.cpuTime();
    const start = performance.now();
    await jobs.enqueue(refreshSweepJob, {}, { jobId: "bench-sweep" });
    // Done when the sweep has finished and no refresh is left to run. (Not by counting
    // completed jobs: BullMQ keeps at most 10,000 of them, see DEFAULT_JOB_OPTIONS.)
    const deadline = Date.now() + s.timeoutSeconds * 1000;
    let counts: Record<string, number> = {};
    for (;;) {
      counts = await queue.getJobCounts(
        "waiting",
        "active",
        "delayed",
        "prioritized",
        "waiting-children",
        "failed",
      );
      const pending = Object.entries(counts)
        .filter(([state]) => state !== "failed")
        .reduce((sum, [, n]) => sum + n, 0);
      const sweepDone = (await queue.getJob("bench-sweep"))?.finishedOn !== undefined;
      if (sweepDone && pending === 0) break;
      if (Date.now() > deadline) {
        throw new Error(
          `refreshes still pending after ${s.timeoutSeconds} s: ${JSON.stringify(counts)}`,
        );
      }
      await sleep(100);
    }
    const sweepMs = performance.now() - start;
    const cpuAfter = await child.cpuTime();
    if (ctx.config.cpuProfile) {
      await child.stopProfile(ctx.outputPath("profiles", "refresh-sweep.cpuprofile"));
    }
    const sweepJob = await queue.getJob("bench-sweep");
    const enqueueMs =
      sweepJob?.finishedOn && sweepJob.processedOn
        ? sweepJob.finishedOn - sweepJob.processedOn
        : null;
    const failedJobs = await queue.getJobs(["failed"], 0, 2);

    ctx.log(`baseline: ${s.accounts} bare HTTP calls, ${s.concurrency} at a time`);
    const bare = await bareCalls(`${provider.url}/bare`, s.accounts, s.concurrency);

    const db = createDb(databaseUrl, { maxConnections: 1 });
    const refreshed = await db.linkedAccount
      .count({ where: { lastRefreshAt: { not: null }, lastRefreshError: null } })
      .finally(() => db.$disconnect());

    const failures: string[] = [];
    if (counts.failed) {
      failures.push(
        `sweep: ${counts.failed} jobs failed (${failedJobs.map((j) => `${j.name}: ${j.failedReason}`).join("; ")})`,
      );
    }
    if (refreshed !== s.accounts) failures.push(`sweep: ${refreshed} of ${s.accounts} refreshed`);
    if (provider.tokenCalls() !== s.accounts) {
      failures.push(`sweep: ${provider.tokenCalls()} provider calls for ${s.accounts} accounts`);
    }
    if (bare.failed) failures.push(`baseline: ${bare.failed} bare calls failed`);
    const cpuMs = (cpuAfter.user - cpuBefore.user + cpuAfter.system - cpuBefore.system) / 1000;
    const floorSeconds = (s.accounts / s.concurrency) * (s.latencyMs / 1000);
    return {
      metrics: [
        metric({
          name: `refresh sweep of ${s.accounts} due accounts vs bare HTTP calls`,
          value: sweepMs / 1000,
          unit: "s",
          baseline: { name: `${s.accounts} bare HTTP calls`, value: bare.ms / 1000 },
          target: { on: "value", op: "<", threshold: 60 },
        }),
      ],
      details: [
        {
          title: `Refresh sweep, ${s.accounts} accounts, provider latency ${s.latencyMs} ms, ${s.concurrency} at a time`,
          header: ["what", "seconds", "per second", "jobs app CPU per refresh (ms)"],
          rows: [
            [
              "sweep to last refresh (jobs app)",
              (sweepMs / 1000).toFixed(2),
              formatNumber((s.accounts / sweepMs) * 1000),
              (cpuMs / s.accounts).toFixed(2),
            ],
            [
              "of which the sweep job (due query, bulk enqueue)",
              enqueueMs === null ? "n/a" : (enqueueMs / 1000).toFixed(2),
              "–",
              "–",
            ],
            [
              "bare HTTP calls (baseline)",
              (bare.ms / 1000).toFixed(2),
              formatNumber((s.accounts / bare.ms) * 1000),
              "–",
            ],
            ["latency floor: N ÷ concurrency × latency", floorSeconds.toFixed(2), "–", "–"],
          ],
        },
      ],
      notes: [
        `Each refresh takes the account's Redis lock, reads and decrypts its tokens, calls the ` +
          `provider, and stores the rotated pair in one write; the refresh jobs start while ` +
          `the sweep is still enqueueing. Jobs app CPU: ${((cpuMs / sweepMs) * 100).toFixed(0)}% ` +
          `of a core during the sweep. Raise JOBS_CONCURRENCY_ACCOUNTS to go below the latency ` +
          `floor.`,
      ],
      failures,
      data: {
        sweep: {
          settings: s,
          sweepMs,
          enqueueMs,
          bareMs: bare.ms,
          cpuMsPerRefresh: cpuMs / s.accounts,
          counts,
          refreshed,
          providerCalls: provider.tokenCalls(),
        },
      },
    };
  } finally {
    await jobs.close();
    redis.disconnect();
  }
}

export const accounts: Scenario = {
  area: "accounts",
  title: "Token refresh sweep of due linked accounts against a provider answering slowly",
  async run(ctx) {
    const s = readSettings();
    const prefix = `lifeline:bench:accounts-${randomBytes(4).toString("hex")}:`;
    ctx.onCleanup("delete the accounts area's Redis keys", () =>
      deleteKeysWithPrefix(REDIS_URL, prefix),
    );
    return refreshSweep(ctx, s, prefix);
  },
};
