import { performance } from "node:perf_hooks";

import { authenticate, createAccessTokens, loadSigningKeys } from "@lifeline/core";
import { createDb } from "@lifeline/db";

import type { Table } from "../harness/metrics";
import { prismaLookup } from "./dep-variants";
import { createRawPool, SESSION_WITH_USER_SQL } from "./raw-pg";
import { unverifiedClaims } from "./token";

export interface MicroResult {
  name: string;
  concurrency: number;
  ops: number;
  opsPerSecond: number;
  /** With one in flight this is the latency of one operation. */
  wallMicrosPerOp: number;
  /** This process's CPU per operation: the Node-side cost, whatever Postgres spends. */
  cpuMicrosPerOp: number;
}

const OPS = 3000;
const WARMUP_OPS = 300;

/**
 * BENCH_DIAGNOSE=1 only, run after the load tests while the server child idles: the pieces of
 * auth.me called directly in this process, no HTTP, so their cost is not blurred by Fastify,
 * tRPC or the load generator. Uses its own signing key (same code path) and its own Prisma
 * client on the bench database.
 */
export async function runMicroBenchmarks(
  databaseUrl: string,
  appToken: string,
): Promise<MicroResult[]> {
  const tokens = createAccessTokens(await loadSigningKeys(undefined), {
    issuer: "bench",
    audience: "bench",
    ttlSeconds: 900,
  });
  // Same claims as the app's token, so authenticate() finds the same live session.
  const { userId, sessionId } = unverifiedClaims(appToken);
  const { token } = await tokens.sign({ userId, sessionId });

  const db = createDb(databaseUrl);
  const pool = createRawPool(databaseUrl);
  try {
    const ops: Array<[string, () => Promise<unknown>]> = [
      ["jwt verify (jose EdDSA)", () => tokens.verify(token)],
      ["prisma session.findUnique", () => prismaLookup(db)(sessionId)],
      [
        "prisma $queryRawUnsafe (same SQL)",
        () => db.$queryRawUnsafe(SESSION_WITH_USER_SQL, sessionId),
      ],
      ["raw pg pool.query (same SQL)", () => pool.query(SESSION_WITH_USER_SQL, [sessionId])],
      ["authenticate() (jwt + prisma)", () => authenticate({ db, accessTokens: tokens }, token)],
    ];
    const results: MicroResult[] = [];
    // One in flight gives per-call latency; ten (the bench's connection count) gives throughput.
    // Caveat at ten: Prisma batches findUnique calls made in the same tick into one query, which
    // lock-step callers like these get and independent HTTP requests mostly do not.
    for (const concurrency of [1, 10]) {
      for (const [name, op] of ops) results.push(await timeOps(name, concurrency, op));
    }
    return results;
  } finally {
    await Promise.allSettled([db.$disconnect(), pool.end()]);
  }
}

async function timeOps(
  name: string,
  concurrency: number,
  op: () => Promise<unknown>,
): Promise<MicroResult> {
  await runOps(WARMUP_OPS, concurrency, op);
  const cpuBefore = process.cpuUsage();
  const start = performance.now();
  await runOps(OPS, concurrency, op);
  const wallMicros = (performance.now() - start) * 1000;
  const cpu = process.cpuUsage(cpuBefore);
  return {
    name,
    concurrency,
    ops: OPS,
    opsPerSecond: (OPS * 1e6) / wallMicros,
    wallMicrosPerOp: wallMicros / OPS,
    cpuMicrosPerOp: (cpu.user + cpu.system) / OPS,
  };
}

async function runOps(
  count: number,
  concurrency: number,
  op: () => Promise<unknown>,
): Promise<void> {
  let started = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (started++ < count) await op();
    }),
  );
}

export function microTable(results: MicroResult[]): Table {
  return {
    title:
      "In-process micro-benchmarks (BENCH_DIAGNOSE=1; no HTTP; CPU is the bench process only, " +
      "Postgres excluded)",
    header: ["operation", "in flight", "ops/s", "wall µs/op", "CPU µs/op"],
    rows: results.map((m) => [
      m.name,
      String(m.concurrency),
      m.opsPerSecond.toFixed(0),
      m.wallMicrosPerOp.toFixed(1),
      m.cpuMicrosPerOp.toFixed(1),
    ]),
  };
}
