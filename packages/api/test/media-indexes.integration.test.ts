import { randomUUID } from "node:crypto";

import {
  deleteMediaItem,
  findMediaContent,
  getMediaItem,
  listMedia,
  mediaBuckets,
  type TimelineCache,
} from "@lifeline/core";
import { Prisma, type Db } from "@lifeline/db";
import { silentLogger } from "@lifeline/logger";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { createHarness, type Harness } from "./harness";

/**
 * Every query the media procedures make uses an index, checked with EXPLAIN (FORMAT JSON) of
 * the exact SQL each core function sends (captured from `$queryRaw`, run again under
 * EXPLAIN with the same parameters) against a table of a few thousand rows over many users:
 * no Seq Scan on media_items, the index expected for the shape, keyset conditions inside the
 * index scan (so a deep page costs what the first costs), and no Sort for pages (the index
 * gives the order).
 */

const TIMELINE = "media_items_user_id_taken_at_id_kind_source_status_idx";
const BY_KIND = "media_items_user_id_kind_taken_at_id_idx";
const BY_SOURCE = "media_items_user_id_source_taken_at_id_idx";
const PRIMARY = "media_items_pkey";

/** One user with a timeline of 2,000 items among 39 with 100 each: 5,900 rows. */
const USERS = 40;
const OWN_ITEMS = 2000;
const OTHERS_ITEMS = 100;

let h: Harness;
let userId: string;
/** The SQL every $queryRaw call sent, in order. */
const sent: Prisma.Sql[] = [];
let recording: Db;

/** The database, recording each raw query before running it. */
function recordingDb(db: Db): Db {
  return new Proxy(db, {
    get(target, property, receiver) {
      if (property !== "$queryRaw") return Reflect.get(target, property, receiver) as unknown;
      return (strings: TemplateStringsArray, ...values: unknown[]) => {
        sent.push(Prisma.sql(strings, ...values));
        return target.$queryRaw(strings, ...values);
      };
    },
  });
}

/** A cache that always misses, so every call reaches Postgres. */
const noCache: TimelineCache = {
  read: (_userId, _key, load) => load(),
  invalidate: async () => undefined,
};

interface PlanNode {
  "Node Type": string;
  "Relation Name"?: string;
  "Index Name"?: string;
  "Index Cond"?: string;
  Plans?: PlanNode[];
}

function nodesOf(plan: PlanNode): PlanNode[] {
  return [plan, ...(plan.Plans ?? []).flatMap(nodesOf)];
}

async function explain(sql: Prisma.Sql): Promise<PlanNode[]> {
  const rows = await h.db.$queryRawUnsafe<{ "QUERY PLAN": [{ Plan: PlanNode }] }[]>(
    `EXPLAIN (FORMAT JSON) ${sql.text}`,
    ...sql.values,
  );
  const plan = rows[0]?.["QUERY PLAN"][0].Plan;
  if (!plan) throw new Error("no plan");
  return nodesOf(plan);
}

/** Runs `call`, then EXPLAINs the one query it sent. */
async function planOf(call: () => Promise<unknown>): Promise<PlanNode[]> {
  sent.length = 0;
  await call();
  expect(sent).toHaveLength(1);
  return explain(sent[0]!);
}

function indexesUsed(nodes: PlanNode[]): string[] {
  return nodes.flatMap((node) => (node["Index Name"] ? [node["Index Name"]] : []));
}

function expectNoSeqScan(nodes: PlanNode[]): void {
  const seq = nodes.filter(
    (node) => node["Node Type"] === "Seq Scan" && node["Relation Name"] === "media_items",
  );
  expect(seq, JSON.stringify(nodes.map((n) => n["Node Type"]))).toEqual([]);
}

beforeAll(async () => {
  h = await createHarness();
  recording = recordingDb(h.db);
  // Users, then their items, in one INSERT … SELECT each.
  const users = await h.db.$queryRaw<{ id: string }[]>`
    INSERT INTO users (id, email, password_hash, created_at, updated_at)
    SELECT gen_random_uuid(), 'explain-' || g || '-' || ${randomUUID()} || '@example.com', 'x', now(), now()
    FROM generate_series(1, ${USERS}) AS g
    RETURNING id`;
  await h.db.$executeRaw`
    INSERT INTO media_items (id, user_id, source, kind, status, taken_at, mime, size_bytes,
                             sha256, thumbnail, updated_at)
    SELECT gen_random_uuid(), u.id,
           (ARRAY['upload', 'provider'])[1 + g % 2]::media_source,
           (ARRAY['image', 'video', 'document', 'post'])[1 + g % 4]::media_kind,
           (CASE WHEN g % 25 = 0 THEN 'pending' ELSE 'stored' END)::media_status,
           timestamptz '2020-01-01' + (g / 3) * interval '1 day',
           'image/jpeg', 1000, md5(u.id::text || g) || md5(g::text || u.id::text), 'none', now()
    FROM (SELECT unnest(${users.map((u) => u.id)}::uuid[]) AS id) AS u,
         generate_series(1, ${OWN_ITEMS}) AS g
    WHERE u.id = ${users[0]!.id}::uuid OR g <= ${OTHERS_ITEMS}`;
  // Statistics and the visibility map, as autovacuum would leave them.
  await h.db.$executeRawUnsafe("VACUUM ANALYZE media_items");
  userId = users[0]!.id;
});
afterAll(() => h.close());

const listDeps = () => ({
  db: recording,
  timeline: noCache,
  cursorSecret: h.deps.authConfig.tokenSecret,
});

// Items are three a day from 2020-01-01 (about 22 months); every set holds well over a page.
const FILTER_SETS = [
  {},
  { kind: "image" as const },
  { source: "provider" as const },
  { kind: "video" as const, source: "provider" as const },
  { from: new Date("2020-06-01T00:00:00Z") },
  { to: new Date("2021-06-01T00:00:00Z") },
  { from: new Date("2020-03-01T00:00:00Z"), to: new Date("2021-06-01T00:00:00Z") },
  { kind: "post" as const, from: new Date("2020-03-01T00:00:00Z") },
  { source: "upload" as const, to: new Date("2021-06-01T00:00:00Z") },
  {
    kind: "document" as const,
    source: "upload" as const,
    from: new Date("2020-03-01T00:00:00Z"),
    to: new Date("2021-06-01T00:00:00Z"),
  },
];

/**
 * The index a page with these filters should scan: the one whose leading equality it has.
 * With both kind and source, Postgres may take either, or the timeline index (kind and
 * source are key columns of it), and on a table this small may sort the few hundred rows it
 * finds rather than walk an index in order; what matters holds all the same: an index
 * condition on user_id and the filters, no Seq Scan.
 */
function expectedIndexes(filters: { kind?: string; source?: string }): string[] {
  if (filters.kind && filters.source) return [BY_KIND, BY_SOURCE, TIMELINE];
  if (filters.kind) return [BY_KIND];
  if (filters.source) return [BY_SOURCE];
  return [TIMELINE];
}

/** One equality filter at most: an index gives exactly the timeline's order, so no Sort. */
const inIndexOrder = (filters: { kind?: string; source?: string }) =>
  !(filters.kind && filters.source);

describe("EXPLAIN of every media query", () => {
  it.each(FILTER_SETS.map((filters) => [JSON.stringify(filters), filters] as const))(
    "media.list, first page, filters %s: an index scan in timeline order, no sort",
    async (_, filters) => {
      const nodes = await planOf(() => listMedia(listDeps(), userId, { ...filters, limit: 50 }));
      expectNoSeqScan(nodes);
      if (inIndexOrder(filters)) expect(nodes.map((n) => n["Node Type"])).not.toContain("Sort");
      const used = indexesUsed(nodes);
      expect(used).toHaveLength(1);
      expect(expectedIndexes(filters)).toContain(used[0]);
    },
  );

  it.each(FILTER_SETS.map((filters) => [JSON.stringify(filters), filters] as const))(
    "media.list, a page 90% deep, filters %s: the keyset is an index condition",
    async (_, filters) => {
      // A cursor from a real walk, 90% of the way down (as the benchmark's deep page).
      const { total } = await mediaBuckets({ db: h.db, timeline: noCache }, userId, filters);
      expect(total).toBeGreaterThan(200);
      const pageSize = Math.floor(total / 10);
      let cursor: string | null = null;
      for (let page = 0; page < 9; page++) {
        const next: { nextCursor: string | null } = await listMedia(listDeps(), userId, {
          ...filters,
          limit: pageSize,
          ...(cursor ? { cursor } : {}),
        });
        cursor = next.nextCursor;
      }
      expect(cursor).not.toBeNull();
      const nodes = await planOf(() =>
        listMedia(listDeps(), userId, { ...filters, limit: 10, cursor: cursor! }),
      );
      expectNoSeqScan(nodes);
      if (inIndexOrder(filters)) expect(nodes.map((n) => n["Node Type"])).not.toContain("Sort");
      const scan = nodes.find((node) => node["Index Name"]);
      expect(expectedIndexes(filters)).toContain(scan?.["Index Name"]);
      // Inside the index condition, not a filter applied to every newer row on the way.
      expect(scan?.["Index Cond"]).toMatch(/ROW\(taken_at, id\) < ROW\(/);
    },
  );

  it.each(FILTER_SETS.map((filters) => [JSON.stringify(filters), filters] as const))(
    "media.buckets, filters %s: one aggregate over an index, no Seq Scan",
    async (_, filters) => {
      const nodes = await planOf(() =>
        mediaBuckets({ db: recording, timeline: noCache }, userId, filters),
      );
      expectNoSeqScan(nodes);
      expect(nodes.map((n) => n["Node Type"])).toContain("Aggregate");
      const used = indexesUsed(nodes);
      expect(used.length).toBeGreaterThan(0);
      // Unfiltered, it reads the timeline index alone (index-only: kind, source and status are in it).
      if (!("kind" in filters) && !("source" in filters)) {
        expect(used).toEqual([TIMELINE]);
        expect(nodes.map((n) => n["Node Type"])).toContain("Index Only Scan");
      } else {
        for (const index of used) expect([TIMELINE, BY_KIND, BY_SOURCE]).toContain(index);
      }
    },
  );

  it("media.get and the content routes' lookup: the primary key, checked against the user", async () => {
    for (const call of [
      () => getMediaItem(recording, userId, randomUUID()).catch(() => undefined),
      () => findMediaContent(recording, userId, randomUUID()),
    ]) {
      const nodes = await planOf(call);
      expectNoSeqScan(nodes);
      expect(indexesUsed(nodes)).toEqual([PRIMARY]);
    }
  });

  it("media.delete: the primary key (EXPLAIN only; nothing is deleted)", async () => {
    const nodes = await planOf(() =>
      deleteMediaItem(
        { db: recording, jobs: h.deps.jobs, timeline: noCache, logger: silentLogger() },
        userId,
        randomUUID(),
      ).catch(() => undefined),
    );
    expectNoSeqScan(nodes);
    expect(indexesUsed(nodes)).toEqual([PRIMARY]);
  });
});
