import { randomUUID } from "node:crypto";

import { collectBlobJob } from "@lifeline/queue";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { errorDetails } from "../src/errors/error-details";
import { createHarness, expectTRPCError, type Harness } from "./harness";
import {
  fakeSha,
  insertItems,
  signInMediaUser,
  timelineOrder,
  type ItemSpec,
} from "./media-support";

/**
 * media.list, media.buckets, media.get and media.delete over tRPC against real Postgres and
 * Redis: keyset pagination, filters, refusals, ownership. Their REST routes and the byte
 * streams: apps/server/test/media-*.integration.test.ts. Caching: media-cache.*; indexes:
 * media-indexes.*.
 */

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(() => h.close());

/** The fields a refusal names (zod issues or an AppError's details), as clients get them. */
async function refusedFields(call: Promise<unknown>): Promise<string[]> {
  const error = await expectTRPCError(call, "BAD_REQUEST");
  return (errorDetails(error) ?? []).map((detail) => detail.path);
}

type Caller = Awaited<ReturnType<Harness["caller"]>>;
type Page = Awaited<ReturnType<Caller["media"]["list"]>>;

const day = (n: number) => new Date(Date.UTC(2024, 0, 1) + n * 86_400_000);

async function walk(caller: Caller, input: Record<string, unknown>): Promise<Page["items"][]> {
  const pages: Page["items"][] = [];
  let cursor: string | undefined;
  for (let guard = 0; guard < 1000; guard++) {
    const page = await caller.media.list({ ...input, ...(cursor ? { cursor } : {}) });
    pages.push(page.items);
    if (page.nextCursor === null) return pages;
    cursor = page.nextCursor;
  }
  throw new Error("pagination did not end");
}

describe("media.list pagination", () => {
  it("walks every item exactly once, newest first, ties on takenAt broken by id, across pages", async () => {
    const { user, caller } = await signInMediaUser(h, "walk");
    // 8 instants with 5 items each: every page boundary of size 3 falls inside a tie.
    const specs: ItemSpec[] = [];
    for (let t = 0; t < 8; t++) for (let i = 0; i < 5; i++) specs.push({ takenAt: day(t) });
    const ids = await insertItems(h.db, user.id, specs);
    const expected = timelineOrder(ids.map((id, i) => ({ id, takenAt: specs[i]!.takenAt })));

    const pages = await walk(caller, { limit: 3 });
    expect(pages).toHaveLength(Math.ceil(40 / 3));
    expect(pages.slice(0, -1).every((page) => page.length === 3)).toBe(true);
    const seen = pages.flat();
    expect(seen.map((item) => item.id)).toEqual(expected.map((item) => item.id));
    expect(new Set(seen.map((item) => item.id)).size).toBe(40);
    expect(seen[0]?.takenAt).toBe(day(7).toISOString());
  });

  it("ends with nextCursor null, also when the last page is exactly full", async () => {
    const { user, caller } = await signInMediaUser(h, "exact");
    await insertItems(
      h.db,
      user.id,
      [0, 1, 2, 3].map((n) => ({ takenAt: day(n) })),
    );
    const first = await caller.media.list({ limit: 2 });
    expect(first.items).toHaveLength(2);
    const second = await caller.media.list({ limit: 2, cursor: first.nextCursor! });
    expect(second.items).toHaveLength(2);
    expect(second.nextCursor).toBeNull();
    expect((await caller.media.list({ limit: 4 })).nextCursor).toBeNull();
  });

  it("defaults to 50 per page and takes no input at all", async () => {
    const { user, caller } = await signInMediaUser(h, "default");
    await insertItems(
      h.db,
      user.id,
      Array.from({ length: 51 }, (_, n) => ({ takenAt: day(n) })),
    );
    const page = await caller.media.list();
    expect(page.items).toHaveLength(50);
    expect(page.nextCursor).not.toBeNull();
  });

  it("returns the item shape: ISO dates, size as a number, relative URLs only where they work", async () => {
    const { user, caller } = await signInMediaUser(h, "shape");
    const sha = fakeSha();
    const [withThumb, pendingThumb, post] = await insertItems(h.db, user.id, [
      { takenAt: day(3), sha256: sha, sizeBytes: 5_000_000_000, thumbnail: "ready" },
      { takenAt: day(2), thumbnail: "pending" },
      { takenAt: day(1), kind: "post", caption: "A whole post" },
    ]);
    const { items } = await caller.media.list();
    expect(items[0]).toEqual({
      id: withThumb,
      source: "upload",
      kind: "image",
      status: "stored",
      takenAt: day(3).toISOString(),
      caption: null,
      mime: "image/jpeg",
      sizeBytes: 5_000_000_000,
      sha256: sha,
      originalName: "photo.jpg",
      width: null,
      height: null,
      durationMs: null,
      thumbnail: "ready",
      createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT.*Z$/) as unknown,
      contentUrl: `/api/media/${withThumb}/content`,
      thumbnailUrl: `/api/media/${withThumb}/thumbnail`,
    });
    expect(items[1]).toMatchObject({ id: pendingThumb, thumbnail: "pending", thumbnailUrl: null });
    expect(items[2]).toMatchObject({
      id: post,
      kind: "post",
      caption: "A whole post",
      contentUrl: null,
      thumbnailUrl: null,
    });
  });
});

describe("media.list filters", () => {
  let caller: Caller;
  let ids: Record<string, string>;

  beforeAll(async () => {
    const signedIn = await signInMediaUser(h, "filters");
    caller = signedIn.caller;
    const specs: Record<string, ItemSpec> = {
      uploadImage: { takenAt: day(10), source: "upload", kind: "image" },
      uploadVideo: { takenAt: day(20), source: "upload", kind: "video", mime: "video/mp4" },
      providerImage: { takenAt: day(30), source: "provider", kind: "image" },
      providerPost: { takenAt: day(40), source: "provider", kind: "post" },
      providerDocument: { takenAt: day(50), source: "provider", kind: "document" },
      pendingImport: { takenAt: day(60), source: "provider", kind: "image", status: "pending" },
      failedImport: { takenAt: day(70), source: "provider", kind: "video", status: "failed" },
    };
    const inserted = await insertItems(h.db, signedIn.user.id, Object.values(specs));
    ids = Object.fromEntries(Object.keys(specs).map((name, i) => [name, inserted[i]!]));
  });

  const names = (items: { id: string }[]) =>
    items.map((item) => Object.keys(ids).find((name) => ids[name] === item.id));

  it("shows stored items and posts, never pending or failed imports", async () => {
    expect(names((await caller.media.list()).items)).toEqual([
      "providerDocument",
      "providerPost",
      "providerImage",
      "uploadVideo",
      "uploadImage",
    ]);
  });

  it("filters by source, by kind, and both", async () => {
    expect(names((await caller.media.list({ source: "upload" })).items)).toEqual([
      "uploadVideo",
      "uploadImage",
    ]);
    expect(names((await caller.media.list({ source: "provider" })).items)).toEqual([
      "providerDocument",
      "providerPost",
      "providerImage",
    ]);
    expect(names((await caller.media.list({ kind: "image" })).items)).toEqual([
      "providerImage",
      "uploadImage",
    ]);
    expect(names((await caller.media.list({ kind: "post" })).items)).toEqual(["providerPost"]);
    expect(names((await caller.media.list({ kind: "image", source: "upload" })).items)).toEqual([
      "uploadImage",
    ]);
    expect((await caller.media.list({ kind: "video", source: "provider" })).items).toEqual([]);
  });

  it("from is inclusive, to is exclusive", async () => {
    const window = { from: day(20).toISOString(), to: day(40).toISOString() };
    expect(names((await caller.media.list(window)).items)).toEqual([
      "providerImage",
      "uploadVideo",
    ]);
    // Any ISO spelling of the same instant is the same filter.
    const offset = { from: "2024-01-21T01:00:00+01:00" };
    expect(names((await caller.media.list(offset)).items)).toContain("uploadVideo");
    expect(
      (await caller.media.list({ from: day(20).toISOString(), to: day(20).toISOString() })).items,
    ).toEqual([]);
  });

  it("pages through a filtered listing with cursors bound to that filter", async () => {
    const first = await caller.media.list({ source: "provider", limit: 2 });
    expect(names(first.items)).toEqual(["providerDocument", "providerPost"]);
    const second = await caller.media.list({
      source: "provider",
      limit: 2,
      cursor: first.nextCursor!,
    });
    expect(names(second.items)).toEqual(["providerImage"]);
    expect(second.nextCursor).toBeNull();
    // The same cursor with other filters is refused, not applied to another listing.
    expect(
      await refusedFields(
        caller.media.list({ source: "upload", limit: 2, cursor: first.nextCursor! }),
      ),
    ).toEqual(["cursor"]);
  });

  it("counts per month with the same filters and visibility", async () => {
    expect(await caller.media.buckets()).toEqual({
      buckets: [
        { month: "2024-02", count: 2 }, // day 40 (Feb 10) and day 50 (Feb 20)
        { month: "2024-01", count: 3 }, // days 10, 20, 30
      ],
      total: 5,
    });
    expect(await caller.media.buckets({ kind: "image" })).toEqual({
      buckets: [{ month: "2024-01", count: 2 }],
      total: 2,
    });
    expect(await caller.media.buckets({ source: "provider", from: day(30).toISOString() })).toEqual(
      {
        buckets: [
          { month: "2024-02", count: 2 },
          { month: "2024-01", count: 1 },
        ],
        total: 3,
      },
    );
  });
});

describe("buckets", () => {
  it("groups by calendar month in UTC, whatever the instant's offset looked like", async () => {
    const { user, caller } = await signInMediaUser(h, "utc");
    await insertItems(h.db, user.id, [
      // 23:30 on Jan 31 in New York is Feb 1 in UTC.
      { takenAt: new Date("2024-01-31T23:30:00-05:00") },
      { takenAt: new Date("2024-01-31T23:59:59.999Z") },
      { takenAt: new Date("2023-12-31T23:59:59.999Z") },
    ]);
    expect(await caller.media.buckets()).toEqual({
      buckets: [
        { month: "2024-02", count: 1 },
        { month: "2024-01", count: 1 },
        { month: "2023-12", count: 1 },
      ],
      total: 3,
    });
  });

  it("is empty for a user without items", async () => {
    const { caller } = await signInMediaUser(h, "empty");
    expect(await caller.media.buckets()).toEqual({ buckets: [], total: 0 });
    expect(await caller.media.list()).toEqual({ items: [], nextCursor: null });
  });
});

describe("bad input is a 400 naming the field", () => {
  let caller: Caller;
  let cursor: string;
  beforeAll(async () => {
    const signedIn = await signInMediaUser(h, "bad");
    caller = signedIn.caller;
    await insertItems(h.db, signedIn.user.id, [{ takenAt: day(1) }, { takenAt: day(2) }]);
    cursor = (await caller.media.list({ limit: 1 })).nextCursor!;
  });

  const cases: [string, Record<string, unknown>, string][] = [
    ["limit 0", { limit: 0 }, "limit"],
    ["limit 201", { limit: 201 }, "limit"],
    ["limit abc", { limit: "abc" }, "limit"],
    ["limit 1.5", { limit: 1.5 }, "limit"],
    ["a kind that does not exist", { kind: "gif" }, "kind"],
    ["a source that does not exist", { source: "email" }, "source"],
    ["from not a date", { from: "yesterday" }, "from"],
    ["to without a time zone", { to: "2024-01-01T00:00:00" }, "to"],
    ["from after to", { from: day(2).toISOString(), to: day(1).toISOString() }, "from"],
    ["a cursor that is not base64url", { cursor: "not a cursor!" }, "cursor"],
    ["an overlong cursor", { cursor: "A".repeat(129) }, "cursor"],
  ];
  it.each(cases)("%s", async (_, input, field) => {
    expect(await refusedFields(caller.media.list(input))).toEqual([field]);
  });

  it("a well-formed but forged, edited, truncated or foreign cursor is refused, never served", async () => {
    const bytes = Buffer.from(cursor, "base64url");
    const flipped = Buffer.from(bytes);
    flipped[5] = (flipped[5] ?? 0) ^ 1; // the takenAt, one bit later
    const forged = [
      flipped.toString("base64url"),
      cursor.slice(0, -2),
      `${cursor}AA`,
      Buffer.alloc(bytes.length).toString("base64url"),
      // Another spelling of the same bytes (the final character's spare bits differ).
      cursor.slice(0, -1) + String.fromCharCode(cursor.charCodeAt(cursor.length - 1) ^ 1),
    ];
    for (const bad of forged) {
      if (bad === cursor) continue;
      const error = await expectTRPCError(
        caller.media.list({ limit: 1, cursor: bad }),
        "BAD_REQUEST",
      );
      expect(error.message).toContain("cursor:");
    }
    // Another user's cursor does not open this user's listing.
    const other = await signInMediaUser(h, "other-cursor");
    await expectTRPCError(other.caller.media.list({ limit: 1, cursor }), "BAD_REQUEST");
    // The genuine one still works.
    expect((await caller.media.list({ limit: 1, cursor })).items).toHaveLength(1);
  });

  it("buckets refuse the same bad filters", async () => {
    expect(await refusedFields(caller.media.buckets({ kind: "gif" } as never))).toEqual(["kind"]);
    expect(
      await refusedFields(
        caller.media.buckets({ from: day(2).toISOString(), to: day(1).toISOString() }),
      ),
    ).toEqual(["from"]);
  });

  it("get and delete refuse an id that is not a UUID", async () => {
    expect(await refusedFields(caller.media.get({ id: "42" }))).toEqual(["id"]);
    expect(await refusedFields(caller.media.delete({ id: "../etc" }))).toEqual(["id"]);
  });

  it("needs a signed-in caller", async () => {
    const anonymous = await h.caller();
    await expectTRPCError(anonymous.media.list(), "UNAUTHORIZED");
    await expectTRPCError(anonymous.media.buckets(), "UNAUTHORIZED");
    await expectTRPCError(anonymous.media.get({ id: randomUUID() }), "UNAUTHORIZED");
  });
});

describe("media.get and media.delete: own items only", () => {
  it("another user's id is NOT_FOUND exactly like an id that does not exist", async () => {
    const owner = await signInMediaUser(h, "owner");
    const intruder = await signInMediaUser(h, "intruder");
    const [id] = await insertItems(h.db, owner.user.id, [{ takenAt: day(1) }]);

    expect((await owner.caller.media.get({ id: id! })).item.id).toBe(id);

    const theirs = await expectTRPCError(intruder.caller.media.get({ id: id! }), "NOT_FOUND");
    const unknown = await expectTRPCError(
      intruder.caller.media.get({ id: randomUUID() }),
      "NOT_FOUND",
    );
    expect(theirs.message).toBe(unknown.message);
    const deleteTheirs = await expectTRPCError(
      intruder.caller.media.delete({ id: id! }),
      "NOT_FOUND",
    );
    expect(deleteTheirs.message).toBe(unknown.message);
    // Still there for its owner, and never in the intruder's timeline.
    expect((await owner.caller.media.get({ id: id! })).item.id).toBe(id);
    expect((await intruder.caller.media.list()).items).toEqual([]);
  });

  it("get shows one's own pending or failed import (the timeline does not)", async () => {
    const { user, caller } = await signInMediaUser(h, "pending");
    const [id] = await insertItems(h.db, user.id, [
      { takenAt: day(1), source: "provider", status: "pending", sha256: null },
    ]);
    const { item } = await caller.media.get({ id: id! });
    expect(item).toMatchObject({ status: "pending", contentUrl: null });
  });

  it("delete removes the row and enqueues the blob's collection; a second delete is NOT_FOUND", async () => {
    const { user, caller } = await signInMediaUser(h, "delete");
    const sha = fakeSha();
    const [id, post] = await insertItems(h.db, user.id, [
      { takenAt: day(1), sha256: sha },
      { takenAt: day(2), kind: "post" },
    ]);
    expect(await caller.media.delete({ id: id! })).toEqual({ ok: true });
    expect(await h.db.mediaItem.findUnique({ where: { id: id! } })).toBeNull();

    const job = await h.deps.jobs.queue("media").getJob(`collect-${id}`);
    expect(job?.name).toBe(collectBlobJob.name);
    expect(job?.data).toEqual({ sha256: sha });

    await expectTRPCError(caller.media.delete({ id: id! }), "NOT_FOUND");
    // A post has no blob: deleted, nothing to collect.
    expect(await caller.media.delete({ id: post! })).toEqual({ ok: true });
    expect(await h.deps.jobs.queue("media").getJob(`collect-${post}`)).toBeUndefined();
  });
});
