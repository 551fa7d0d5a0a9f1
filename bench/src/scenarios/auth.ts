/**
 * auth: what staying signed in and signing in cost.
 *
 *  1. Throughput (autocannon): auth.me and /healthz on the real app, and auth.me on the
 *     walking-skeleton wiring, against a bare Fastify route in the same run.
 *     BENCH_DIAGNOSE=1 adds targets and micro-benchmarks that split auth.me's cost.
 *  2. Login storm: the real app at BCRYPT_COST=12 with rate limits off; 50 callers log in
 *     back to back for 20 s while one more calls auth.me one request at a time. Logins/s are
 *     compared with the password pool's limit (workers ÷ time of one bcrypt compare, timed here
 *     first), auth.me latency with the same probe run idle just before.
 */
import { availableParallelism } from "node:os";
import { performance } from "node:perf_hooks";

import type { TestServer } from "@lifeline/server/testing";
import bcrypt from "bcryptjs";

import { microTable, runMicroBenchmarks } from "../diagnostics/micro";
import { startDiagnosticServers } from "../diagnostics/diagnostic-servers";
import type { AreaContext, AreaOutcome, Scenario } from "../harness/area";
import type { ThroughputTarget } from "../harness/autocannon-load";
import {
  countAnswers,
  failedAnswers,
  probeStatuses,
  type AnswerCounts,
} from "../harness/answer-counts";
import { runClosedLoop, type LoopCall } from "../harness/closed-loop";
import { selected } from "../harness/config";
import { intSetting, optionalIntSetting } from "../harness/env-settings";
import { createHttpClient } from "../harness/http-client";
import {
  probeFor,
  startLatencyProbe,
  summariseProbe,
  type ProbeResult,
} from "../harness/latency-probe";
import { formatNumber } from "../harness/markdown";
import { metric, type Metric } from "../harness/metrics";
import { defineServers } from "../harness/serving";
import { newCredentials, register, registerAndSignIn, signIn } from "../harness/sign-in";
import { median, percentile } from "../harness/stats";
import { measureThroughput, throughputFailures, throughputTable } from "../harness/throughput";
import { buildBareApp } from "../servers/bare-app";
import { buildSkeletonApp } from "../servers/skeleton-app";

const STORM = "login-storm";

/** Login-storm settings (BENCH_LOGIN_*, BENCH_HASH_SAMPLES); see bench/README.md. */
function readStormSettings() {
  return {
    seconds: intSetting("BENCH_LOGIN_DURATION", 20),
    concurrency: intSetting("BENCH_LOGIN_CONCURRENCY", 50),
    // The server's own default, passed explicitly so the bench knows the pool's size.
    workers: intSetting("BENCH_LOGIN_WORKERS", Math.max(1, availableParallelism() - 1)),
    queueMax: optionalIntSetting("BENCH_LOGIN_QUEUE_MAX"),
    bcryptCost: intSetting("BENCH_LOGIN_BCRYPT_COST", 12, { min: 4 }),
    users: intSetting("BENCH_LOGIN_USERS", 5),
    idleSeconds: intSetting("BENCH_LOGIN_IDLE", 5),
    probeIntervalMs: intSetting("BENCH_PROBE_INTERVAL", 20, { min: 0 }),
    hashSamples: intSetting("BENCH_HASH_SAMPLES", 5),
    timeoutSeconds: intSetting("BENCH_LOGIN_TIMEOUT", 120),
  };
}
type StormSettings = ReturnType<typeof readStormSettings>;

/** Budgets no benchmark reaches: the limiter runs (and costs) as deployed, never says 429. */
const OUT_OF_REACH = "1000000000";

/** The real app as deployed (rate limiter on, out of reach), the bare route, the skeleton. */
export const throughputServers = defineServers(
  import.meta.url,
  "auth-throughput",
  async (serve, options: { rateLimit: boolean; diagnose: boolean }) => {
    const app = await serve.startApp({
      RATE_LIMIT_ENABLED: String(options.rateLimit),
      RATE_LIMIT_GLOBAL_MAX: OUT_OF_REACH,
      RATE_LIMIT_AUTH_MAX: OUT_OF_REACH,
      RATE_LIMIT_REFRESH_MAX: OUT_OF_REACH,
      LOGIN_LOCKOUT_THRESHOLD: OUT_OF_REACH,
    });
    const bareUrl = await serve.listen(buildBareApp());
    const skeletonUrl = await serve.listen(await buildSkeletonApp(app.deps));
    const limiter = options.rateLimit ? "rate limit (Redis), " : "";
    const targets: ThroughputTarget[] = [
      {
        name: "bare",
        url: `${bareUrl}/bare`,
        auth: false,
        kind: "primary",
        note: "bare Fastify 5",
      },
      {
        name: "auth.me",
        url: `${app.url}/trpc/auth.me`,
        auth: true,
        kind: "primary",
        note: `real app: ${limiter}JWT, session lookup, tRPC`,
      },
      {
        name: "auth.me-skeleton",
        url: `${skeletonUrl}/trpc/auth.me`,
        auth: true,
        kind: "primary",
        note: "same auth.me without the edge plugins (the walking skeleton)",
      },
      {
        name: "healthz",
        url: `${app.url}/healthz`,
        auth: false,
        kind: "primary",
        note: "real app: hooks and plugins only, no dependency",
      },
    ];
    if (options.diagnose) targets.push(...(await startDiagnosticServers(app, serve)));
    return { appUrl: app.url, targets };
  },
);

/** The real app at the storm's bcrypt cost, rate limits off, the pool sized explicitly. */
export const stormServers = defineServers(
  import.meta.url,
  "auth-login-storm",
  async (serve, options: { bcryptCost: number; workers: number; queueMax: number | null }) => {
    const app = await serve.startApp({
      BCRYPT_COST: String(options.bcryptCost),
      RATE_LIMIT_ENABLED: "false",
      PASSWORD_HASH_WORKERS: String(options.workers),
      ...(options.queueMax === null ? {} : { PASSWORD_HASH_QUEUE_MAX: String(options.queueMax) }),
    });
    return { appUrl: app.url, poolWorkers: passwordPoolWorkers(app) };
  },
);

/**
 * The worker count of the server's password pool, null when it has none (bcrypt then runs on
 * its event loop). Read by reflection so the bench runs against servers with and without it.
 */
function passwordPoolWorkers(server: TestServer): number | null {
  const passwords: unknown = Reflect.get(server.deps, "passwords");
  if (typeof passwords !== "object" || passwords === null) return null;
  const workers: unknown = Reflect.get(passwords, "workers");
  return typeof workers === "number" ? workers : null;
}

async function throughput(ctx: AreaContext): Promise<AreaOutcome> {
  const { config } = ctx;
  const servers = await ctx.spawnServers(throughputServers, {
    rateLimit: config.rateLimit,
    diagnose: config.diagnose,
  });
  const token = await registerAndSignIn(servers.info.appUrl);
  ctx.log("signed in a bench user; auth.me answers 200");
  const targets = servers.info.targets.filter((t) => selected(config, t.name));
  if (targets.length === 0) {
    const names = [...servers.info.targets.map((t) => t.name), STORM].join(", ");
    throw new Error(`BENCH_TARGETS matched none of: ${names}`);
  }
  const results = await measureThroughput(ctx, servers, targets, token);
  const micro = config.diagnose
    ? await runMicroBenchmarks(await ctx.databaseUrl(), token)
    : undefined;
  await servers.stop();

  const rps = (name: string) => results.find((t) => t.name === name)?.requestsPerSecond ?? null;
  const bare = { name: "bare Fastify route", value: rps("bare") };
  const metrics: Metric[] = [
    metric({
      name: "auth.me req/s (real app, with the edge)",
      value: rps("auth.me"),
      unit: "req/s",
      baseline: bare,
      target: { on: "ratio", op: "≥", threshold: 0.4 },
    }),
    metric({
      name: "auth.me req/s (walking-skeleton wiring)",
      value: rps("auth.me-skeleton"),
      unit: "req/s",
      baseline: bare,
      target: { on: "ratio", op: "≥", threshold: 0.5 },
    }),
    metric({
      name: "/healthz req/s (edge plugins only)",
      value: rps("healthz"),
      unit: "req/s",
      baseline: bare,
    }),
    metric({
      name: "auth.me req/s vs the skeleton (cost of the edge)",
      value: rps("auth.me"),
      unit: "req/s",
      baseline: { name: "auth.me-skeleton", value: rps("auth.me-skeleton") },
      note: "can exceed 1 with the rate limiter on; see bench/README.md",
    }),
  ].filter((m) => m.value !== null);
  const diagnostics = results.filter((t) => t.kind === "diagnostic");
  return {
    metrics,
    details: [
      throughputTable(results, "bare", config.rounds),
      ...(micro ? [microTable(micro)] : []),
    ],
    notes: diagnostics.map((t) => `diagnostic target "${t.name}": ${t.note}`),
    failures: throughputFailures(results),
    data: { throughput: results, ...(micro ? { micro } : {}) },
  };
}

/** bcryptjs compares at `cost`, in this process while nothing else runs here: ms each. */
async function timeHashes(cost: number, samples: number): Promise<number[]> {
  const password = "bench-password-0123";
  const hash = await bcrypt.hash(password, cost);
  await bcrypt.compare(password, hash); // unmeasured: JIT warm-up
  const times: number[] = [];
  for (let i = 0; i < samples; i++) {
    const started = performance.now();
    if (!(await bcrypt.compare(password, hash))) throw new Error("bcrypt compare failed");
    times.push(performance.now() - started);
  }
  return times;
}

async function loginStorm(ctx: AreaContext, s: StormSettings): Promise<AreaOutcome> {
  const servers = await ctx.spawnServers(stormServers, {
    bcryptCost: s.bcryptCost,
    workers: s.workers,
    queueMax: s.queueMax,
  });
  const { appUrl, poolWorkers } = servers.info;
  ctx.log(`registering ${s.users} users at bcrypt cost ${s.bcryptCost}`);
  const users = Array.from({ length: s.users }, () => newCredentials("storm"));
  for (const user of users) await register(appUrl, user);
  const [probeUser] = users;
  if (!probeUser) throw new Error("BENCH_LOGIN_USERS must be at least 1");
  const token = await signIn(appUrl, probeUser);

  ctx.log(`timing ${s.hashSamples} bcrypt compares at cost ${s.bcryptCost} (servers idle)`);
  const hashMs = await timeHashes(s.bcryptCost, s.hashSamples);
  const medianHashMs = median(hashMs) ?? 0;
  const limit = medianHashMs > 0 ? (s.workers * 1000) / medianHashMs : null;

  const timeoutMs = s.timeoutSeconds * 1000;
  const probeClient = createHttpClient({ connections: 1, timeoutMs });
  const loginClient = createHttpClient({ connections: s.concurrency, timeoutMs });
  const me = () =>
    probeClient.request("GET", `${appUrl}/trpc/auth.me`, {
      headers: { authorization: `Bearer ${token}` },
    });
  ctx.log(`auth.me idle, one request at a time, ${s.idleSeconds} s`);
  const idle = await probeFor(s.idleSeconds, me, { intervalMs: s.probeIntervalMs });

  ctx.log(
    `login storm: ${s.concurrency} concurrent logins for ${s.seconds} s, then the drain; ` +
      `auth.me probed throughout`,
  );
  const profile = ctx.config.cpuProfile ? ctx.outputPath("profiles", `${STORM}.cpuprofile`) : null;
  if (profile) await servers.startProfile();
  await servers.startLoopDelay();
  const cpuBefore = await servers.cpuTime();
  const probe = startLatencyProbe(me, { intervalMs: s.probeIntervalMs });
  const storm = await runClosedLoop({
    concurrency: s.concurrency,
    seconds: s.seconds,
    call: (caller) =>
      loginClient.request("POST", `${appUrl}/api/auth/login`, {
        json: users[caller % users.length],
      }),
  });
  const during = await probe.stop();
  const cpuAfter = await servers.cpuTime();
  const loopDelay = await servers.stopLoopDelay();
  if (profile) await servers.stopProfile(profile);
  loginClient.close();
  probeClient.close();
  await servers.stop();

  const logins = countAnswers(storm.calls.map((c) => c.status));
  const probed = countAnswers(probeStatuses(during));
  const elapsedSeconds = storm.elapsedMs / 1000;
  const loginsPerSecond = elapsedSeconds > 0 ? logins.ok / elapsedSeconds : null;
  const serverCpuPercent =
    (100 * (cpuAfter.user - cpuBefore.user + cpuAfter.system - cpuBefore.system)) /
    (storm.elapsedMs * 1000);
  const loginMs = storm.calls.filter((c) => c.status === 200).map((c) => c.ms);
  const workersLabel = `${s.workers} worker${s.workers === 1 ? "" : "s"}`;

  const loginRate = metric({
    name: "logins/s during the storm",
    value: loginsPerSecond,
    unit: "logins/s",
    baseline: {
      name: `pool limit, ${workersLabel} ÷ ${medianHashMs.toFixed(0)} ms per hash`,
      value: limit,
    },
    target: { on: "ratio", op: "≥", threshold: 0.85 },
  });
  const metrics = [
    loginRate,
    metric({
      name: "auth.me p50 during the storm",
      value: percentile(during.samplesMs, 50),
      unit: "ms",
      baseline: { name: "idle p50", value: percentile(idle.samplesMs, 50) },
    }),
    metric({
      name: "auth.me p99 during the storm",
      value: percentile(during.samplesMs, 99),
      unit: "ms",
      baseline: { name: "idle p99", value: percentile(idle.samplesMs, 99) },
      target: { on: "value", op: "<", threshold: 100 },
    }),
    ...(
      [
        ["5xx answers during the storm", "serverErrors"],
        ["unavailable (503) answers during the storm", "unavailable"],
        ["other non-2xx answers during the storm", "otherNon2xx"],
      ] as const
    ).map(([name, key]) =>
      metric({
        name,
        value: logins[key] + probed[key],
        unit: "count",
        target: { on: "value", op: "=", threshold: 0 },
      }),
    ),
  ];

  return {
    metrics,
    details: [
      stormTable(logins, probed, loginMs, during),
      {
        title: "Login storm: set-up and server side",
        header: ["measurement", "value"],
        rows: [
          [
            `bcrypt compare at cost ${s.bcryptCost}, in this process (ms, each sample)`,
            hashMs.map((ms) => ms.toFixed(0)).join(", "),
          ],
          ["PASSWORD_HASH_WORKERS passed to the server", String(s.workers)],
          [
            "password pool workers the server built",
            poolWorkers === null ? "none (no pool)" : String(poolWorkers),
          ],
          [
            "PASSWORD_HASH_QUEUE_MAX passed",
            s.queueMax === null ? "unset (server default)" : String(s.queueMax),
          ],
          ["logins started for (s)", String(s.seconds)],
          ["first start to last answer (s), drain included", elapsedSeconds.toFixed(1)],
          [
            "server CPU during the storm (100% = one core, workers included)",
            `${serverCpuPercent.toFixed(0)}%`,
          ],
          [
            "server event-loop delay p50 / p99 / max (ms)",
            [loopDelay.p50Ms, loopDelay.p99Ms, loopDelay.maxMs]
              .map((ms) => formatNumber(ms))
              .join(" / "),
          ],
          ...(profile ? [["server CPU profile", profile]] : []),
        ],
      },
    ],
    notes: stormNotes(s, {
      poolWorkers,
      hashMs,
      elapsedMs: storm.elapsedMs,
      serverCpuPercent,
      limitMet: loginRate.met,
    }),
    failures: stormFailures(logins, probed, storm.calls, during, idle),
    data: {
      settings: s,
      hashMs,
      limit,
      poolWorkers,
      loginsPerSecond,
      logins,
      authMe: { idle: summariseProbe(idle), during: summariseProbe(during) },
      elapsedMs: storm.elapsedMs,
      serverCpuPercent,
      loopDelay,
    },
  };
}

function stormTable(
  logins: AnswerCounts,
  probed: AnswerCounts,
  loginMs: number[],
  during: ProbeResult,
) {
  const row = (name: string, c: AnswerCounts, ms: number[]) => [
    name,
    String(c.total),
    String(c.ok),
    String(c.unavailable),
    String(c.serverErrors - c.unavailable),
    String(c.otherNon2xx),
    String(c.noAnswer),
    formatNumber(percentile(ms, 50)),
    formatNumber(percentile(ms, 99)),
  ];
  return {
    title: "Login storm: answers",
    header: [
      "client",
      "requests",
      "2xx",
      "503",
      "other 5xx",
      "other non-2xx",
      "no answer",
      "p50 ms",
      "p99 ms",
    ],
    rows: [
      row("POST /api/auth/login (concurrent)", logins, loginMs),
      row("auth.me probe (one at a time)", probed, during.samplesMs),
    ],
  };
}

function stormNotes(
  s: StormSettings,
  run: {
    poolWorkers: number | null;
    hashMs: number[];
    elapsedMs: number;
    serverCpuPercent: number;
    limitMet: boolean | null;
  },
): string[] {
  const medianHashMs = median(run.hashMs) ?? 0;
  const notes = [
    `logins/s = successful logins ÷ ${(run.elapsedMs / 1000).toFixed(1)} s, from the first ` +
      `login's start to the last one's answer: new logins were started for ${s.seconds} s, and ` +
      "those still in flight then finished (work done at the same rate, so it counts).",
  ];
  if (run.poolWorkers === null) {
    notes.push(
      "The server has no password pool (deps.passwords): bcrypt runs on its event loop, so its " +
        `real ceiling is 1 ÷ hash time = ${formatNumber(1000 / medianHashMs)} logins/s whatever ` +
        "PASSWORD_HASH_WORKERS says, and auth.me waits behind every hash in progress.",
    );
  } else if (run.poolWorkers !== s.workers) {
    notes.push(
      `The server built ${run.poolWorkers} password workers, not the ${s.workers} passed: the ` +
        "limit above uses the number passed.",
    );
  }
  // On an idle machine the samples agree within a few percent; a wide spread means something
  // else was taking the CPU, and the limit (and the ratio) are only as good as the median.
  const fastest = Math.min(...run.hashMs);
  if (fastest > 0 && Math.max(...run.hashMs) / fastest > 1.25) {
    notes.push(
      `The hash samples spread from ${fastest.toFixed(0)} to ${Math.max(...run.hashMs).toFixed(0)} ms: ` +
        "other work was taking the CPU, so the limit is approximate.",
    );
  }
  const busyWorkers = Math.min(s.workers, run.poolWorkers ?? 1);
  if (run.limitMet === false && run.serverCpuPercent < 85 * busyWorkers) {
    notes.push(
      `The server used ${run.serverCpuPercent.toFixed(0)}% CPU during the storm, less than its ` +
        `${busyWorkers} hashing thread${busyWorkers === 1 ? "" : "s"} alone would if never idle ` +
        `(${100 * busyWorkers}%): ${busyWorkers === 1 ? "it" : "they"} waited for a core (other processes: see the load warning) ` +
        "or for work (a bottleneck before the pool).",
    );
  }
  return notes;
}

function stormFailures(
  logins: AnswerCounts,
  probed: AnswerCounts,
  calls: LoopCall[],
  during: ProbeResult,
  idle: ProbeResult,
): string[] {
  const failures: string[] = [];
  if (failedAnswers(logins) > 0) {
    const statuses = [...new Set(calls.map((c) => c.status ?? "no answer"))].join(", ");
    const firstError = calls.find((c) => c.error)?.error;
    failures.push(
      `logins: ${failedAnswers(logins)} of ${logins.total} failed (statuses seen: ${statuses})` +
        (firstError ? `; first error: ${firstError}` : ""),
    );
  }
  if (logins.ok === 0) failures.push("logins: none succeeded");
  for (const [when, probe, counts] of [
    ["during the storm", during, probed],
    ["idle", idle, countAnswers(probeStatuses(idle))],
  ] as const) {
    if (failedAnswers(counts) > 0 || counts.unavailable > 0) {
      failures.push(
        `auth.me ${when}: non-2xx ${JSON.stringify(probe.non2xx)}, ${probe.errors} without answer` +
          (probe.firstError ? ` (${probe.firstError})` : ""),
      );
    }
  }
  return failures;
}

function merge(outcomes: AreaOutcome[]): AreaOutcome {
  return {
    metrics: outcomes.flatMap((o) => o.metrics),
    details: outcomes.flatMap((o) => o.details),
    notes: outcomes.flatMap((o) => o.notes),
    failures: outcomes.flatMap((o) => o.failures),
    data: Object.assign({}, ...outcomes.map((o) => o.data)) as Record<string, unknown>,
  };
}

export const auth: Scenario = {
  area: "auth",
  title: "auth.me against a bare route; a login storm against the password pool",
  async run(ctx) {
    const storm = readStormSettings();
    const outcomes: AreaOutcome[] = [];
    // BENCH_TARGETS=login-storm alone skips the throughput servers altogether.
    if (ctx.config.only?.every((name) => name === STORM) !== true) {
      outcomes.push(await throughput(ctx));
    }
    if (selected(ctx.config, STORM)) {
      const result = await loginStorm(ctx, storm);
      outcomes.push({ ...result, data: { loginStorm: result.data } });
    }
    return merge(outcomes);
  },
};
