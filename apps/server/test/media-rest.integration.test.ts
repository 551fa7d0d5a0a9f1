import { randomBytes, randomUUID } from "node:crypto";
import { Readable } from "node:stream";

import { generateSigningJwk } from "@lifeline/core";
import { importJWK, SignJWT } from "jose";
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from "vitest";

import { startTestServer, type TestServer } from "../src/testing";
import { LEAK, type RestError } from "./support/http";

/**
 * The media procedures through the real HTTP stack, over /api (REST) and /trpc: results,
 * refusals naming the field on both transports, ownership, and the per-user media budget
 * of the byte routes (RATE_LIMIT_MEDIA_MAX) that leaves the global limit alone. What the
 * procedures do is tested in packages/api/test/media-*.integration.test.ts.
 */

const PASSWORD = "correct horse battery";

interface Item {
  id: string;
  takenAt: string;
}
interface Page {
  items: Item[];
  nextCursor: string | null;
}

async function signIn(server: TestServer, label: string, ip = "198.51.100.20") {
  const email = `${label}-${randomUUID().slice(0, 8)}@example.com`;
  const user = await server.deps.db.user.create({
    data: {
      email,
      passwordHash: await server.deps.passwords.hash(PASSWORD),
      emailVerifiedAt: new Date(),
    },
  });
  const res = await server.app.inject({
    method: "POST",
    url: "/api/auth/login",
    payload: { email, password: PASSWORD },
    remoteAddress: ip,
  });
  expect(res.statusCode).toBe(200);
  return { userId: user.id, token: res.json<{ accessToken: string }>().accessToken };
}

async function insertItems(server: TestServer, userId: string, takenAt: Date[]) {
  const rows = takenAt.map((at) => ({
    id: randomUUID(),
    userId,
    source: "upload" as const,
    kind: "image" as const,
    takenAt: at,
    mime: "image/jpeg",
    sizeBytes: BigInt(10),
    sha256: randomBytes(32).toString("hex"),
  }));
  await server.deps.db.mediaItem.createMany({ data: rows });
  return rows.map((row) => row.id);
}

const day = (n: number) => new Date(Date.UTC(2023, 2, 1) + n * 86_400_000);

describe("media procedures over REST and tRPC", () => {
  let server: TestServer;
  let token: string;
  let userId: string;
  let ids: string[];

  beforeAll(async () => {
    server = await startTestServer({ databaseUrl: inject("databaseUrl") });
    ({ token, userId } = await signIn(server, "rest"));
    // Five items on two instants: pages of two cut through ties.
    ids = await insertItems(server, userId, [day(1), day(1), day(1), day(40), day(40)]);
  });
  afterAll(() => server.close());

  const rest = (method: "GET" | "DELETE", url: string, as = token) =>
    server.app.inject({ method, url: `/api${url}`, headers: { authorization: `Bearer ${as}` } });
  const trpcQuery = (procedure: string, input: unknown, as = token) =>
    server.app.inject({
      method: "GET",
      url: `/trpc/${procedure}?input=${encodeURIComponent(JSON.stringify(input))}`,
      headers: { authorization: `Bearer ${as}` },
    });

  it("lists page by page over REST, and a REST cursor continues over tRPC (same listing)", async () => {
    const first = await rest("GET", "/media?limit=2");
    expect(first.statusCode).toBe(200);
    const page1 = first.json<Page>();
    expect(page1.items).toHaveLength(2);
    const second = await trpcQuery("media.list", { limit: "2", cursor: page1.nextCursor });
    expect(second.statusCode).toBe(200);
    const page2 = second.json<{ result: { data: Page } }>().result.data;
    const third = await rest("GET", `/media?limit=2&cursor=${page2.nextCursor}`);
    const page3 = third.json<Page>();
    expect(page3.nextCursor).toBeNull();
    const seen = [...page1.items, ...page2.items, ...page3.items].map((item) => item.id);
    expect(new Set(seen)).toEqual(new Set(ids));
    expect(seen).toHaveLength(5);
  });

  it("filters over REST as over tRPC; GET /api/media/buckets is the buckets, not an item", async () => {
    const window = `from=${encodeURIComponent(day(30).toISOString())}&kind=image&source=upload`;
    expect((await rest("GET", `/media?${window}`)).json<Page>().items).toHaveLength(2);
    const buckets = await rest("GET", "/media/buckets");
    expect(buckets.statusCode).toBe(200);
    expect(buckets.json()).toEqual({
      buckets: [
        { month: "2023-04", count: 2 },
        { month: "2023-03", count: 3 },
      ],
      total: 5,
    });
    const filtered = await rest(
      "GET",
      `/media/buckets?to=${encodeURIComponent(day(30).toISOString())}`,
    );
    expect(filtered.json()).toEqual({ buckets: [{ month: "2023-03", count: 3 }], total: 3 });
  });

  const badInputs: [string, Record<string, string>, string][] = [
    ["limit 0", { limit: "0" }, "limit"],
    ["limit 201", { limit: "201" }, "limit"],
    ["limit abc", { limit: "abc" }, "limit"],
    ["a cursor we never issued", { cursor: "bm90LWEtY3Vyc29y" }, "cursor"],
    ["a cursor with other characters", { cursor: "a.b" }, "cursor"],
    ["from after to", { from: day(2).toISOString(), to: day(1).toISOString() }, "from"],
    ["a kind that does not exist", { kind: "gif" }, "kind"],
    ["a source that does not exist", { source: "email" }, "source"],
    ["from not a date", { from: "last tuesday" }, "from"],
  ];
  it.each(badInputs)(
    "%s is a 400 naming the field, on both transports",
    async (_, input, field) => {
      const viaRest = await rest("GET", `/media?${new URLSearchParams(input).toString()}`);
      expect(viaRest.statusCode).toBe(400);
      expect(viaRest.body).not.toMatch(LEAK);
      const restError = viaRest.json<RestError & { error: { details?: { path: string }[] } }>()
        .error;
      expect(restError.code).toBe("BAD_REQUEST");
      expect(restError.details?.map((d) => d.path)).toEqual([field]);
      expect(restError.message).toContain(`${field}: `);

      const viaTrpc = await trpcQuery("media.list", input);
      expect(viaTrpc.statusCode).toBe(400);
      const trpcError = viaTrpc.json<{
        error: { message: string; data: { details?: { path: string }[] } };
      }>().error;
      expect(trpcError.data.details?.map((d) => d.path)).toEqual([field]);
      expect(trpcError.message).toBe(restError.message);
    },
  );

  it("get and delete over REST: own items only, another user's id is the same 404 as an unknown one", async () => {
    const other = await signIn(server, "rest-other");
    const [theirs] = await insertItems(server, other.userId, [day(3)]);

    const mine = await rest("GET", `/media/${ids[0]}`);
    expect(mine.statusCode).toBe(200);
    expect(mine.json<{ item: Item }>().item.id).toBe(ids[0]);

    for (const method of ["GET", "DELETE"] as const) {
      const stolen = await rest(method, `/media/${theirs}`);
      const unknown = await rest(method, `/media/${randomUUID()}`);
      expect(stolen.statusCode, method).toBe(404);
      expect(unknown.statusCode, method).toBe(404);
      expect(stolen.json<RestError>().error.message).toBe(unknown.json<RestError>().error.message);
    }
    expect(await server.deps.db.mediaItem.count({ where: { id: theirs! } })).toBe(1);

    const bad = await rest("GET", "/media/42");
    expect(bad.statusCode).toBe(400);
    expect(bad.json<RestError>().error.message).toContain("id: ");

    const [doomed] = await insertItems(server, userId, [day(5)]);
    const deleted = await rest("DELETE", `/media/${doomed}`);
    expect(deleted.statusCode).toBe(200);
    expect(deleted.json()).toEqual({ ok: true });
    expect((await rest("GET", `/media/${doomed}`)).statusCode).toBe(404);
  });
});

describe("/openapi.json", () => {
  it("documents the byte routes for download: binary 200 and 206, Range header, 304, 416, errors", async () => {
    const server = await startTestServer({ databaseUrl: inject("databaseUrl") });
    try {
      const doc = (await server.app.inject({ method: "GET", url: "/openapi.json" })).json<{
        paths: Record<string, Record<string, Record<string, unknown>>>;
      }>();
      for (const variant of ["content", "thumbnail"]) {
        const op = doc.paths[`/media/{id}/${variant}`]?.get as {
          operationId: string;
          security: unknown;
          tags: string[];
          parameters: { name: string; in: string }[];
          responses: Record<string, { content?: Record<string, { schema: unknown }> }>;
        };
        expect(op.operationId).toBe(`media-${variant}`);
        expect(op.tags).toEqual(["media"]);
        expect(op.security).toEqual([{ bearerAuth: [] }]);
        expect(op.parameters.map((p) => `${p.in}:${p.name}`)).toEqual([
          "path:id",
          "header:Range",
          "header:If-None-Match",
          "header:If-Range",
        ]);
        expect(Object.keys(op.responses).sort()).toEqual(
          ["200", "206", "304", "400", "401", "404", "416", "429", "500", "503"].sort(),
        );
        for (const status of ["200", "206"]) {
          expect(op.responses[status]?.content?.["*/*"]?.schema).toEqual({
            type: "string",
            format: "binary",
          });
        }
        expect(op.responses["416"]?.content?.["application/json"]?.schema).toEqual({
          $ref: "#/components/schemas/Error",
        });
      }
    } finally {
      await server.close();
    }
  });
});

describe("the media budget", () => {
  const servers: TestServer[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => s.close()));
  });

  it("content requests spend RATE_LIMIT_MEDIA_MAX per user, never the global limit", async () => {
    const server = await startTestServer({
      databaseUrl: inject("databaseUrl"),
      env: { RATE_LIMIT_GLOBAL_MAX: "3", RATE_LIMIT_MEDIA_MAX: "6" },
    });
    servers.push(server);
    const ip = "198.51.100.77";
    const { token, userId } = await signIn(server, "budget", ip); // 1 of the 3 global requests
    const bytes = randomBytes(100);
    const temp = await server.deps.storage.putTemp(Readable.from([bytes]), { maxBytes: 1000 });
    await server.deps.storage.commit(temp.tempKey, temp.sha256);
    const item = await server.deps.db.mediaItem.create({
      data: {
        userId,
        source: "upload",
        kind: "image",
        takenAt: new Date(),
        mime: "image/jpeg",
        sizeBytes: BigInt(bytes.length),
        sha256: temp.sha256,
      },
    });
    const fetchContent = () =>
      server.app.inject({
        method: "GET",
        url: `/api/media/${item.id}/content`,
        headers: { authorization: `Bearer ${token}` },
        remoteAddress: ip,
      });

    // Twice the global limit in content requests: all served, with the media budget's headers.
    for (let i = 1; i <= 6; i++) {
      const res = await fetchContent();
      expect(res.statusCode, `content request ${i}`).toBe(200);
      expect(res.headers["ratelimit-limit"]).toBe("6");
      expect(res.headers["ratelimit-remaining"]).toBe(String(6 - i));
    }
    const refused = await fetchContent();
    expect(refused.statusCode).toBe(429);
    expect(Number(refused.headers["retry-after"])).toBeGreaterThan(0);
    expect(refused.json<RestError>().error.code).toBe("TOO_MANY_REQUESTS");

    // The global limit was not touched by any of them: two more API calls still fit.
    const api = () =>
      server.app.inject({
        method: "GET",
        url: "/api/media",
        headers: { authorization: `Bearer ${token}` },
        remoteAddress: ip,
      });
    const second = await api();
    expect(second.statusCode).toBe(200);
    expect(second.headers["ratelimit-limit"]).toBe("3");
    expect(second.headers["ratelimit-remaining"]).toBe("1");
    expect((await api()).statusCode).toBe(200);
    expect((await api()).statusCode).toBe(429);
  });

  it("the budget is per user: another user from the same address is not affected", async () => {
    const server = await startTestServer({
      databaseUrl: inject("databaseUrl"),
      env: { RATE_LIMIT_MEDIA_MAX: "1" },
    });
    servers.push(server);
    const a = await signIn(server, "budget-a");
    const b = await signIn(server, "budget-b");
    const missing = `/api/media/${randomUUID()}/content`;
    const as = (token: string) =>
      server.app.inject({
        method: "GET",
        url: missing,
        headers: { authorization: `Bearer ${token}` },
      });
    // Even a 404 spends the budget (the lookup is the cost).
    expect((await as(a.token)).statusCode).toBe(404);
    expect((await as(a.token)).statusCode).toBe(429);
    expect((await as(b.token)).statusCode).toBe(404);
  });
});

describe("with Postgres down", () => {
  it("the byte routes answer 503 retry_later like the procedures (a valid token is not 'signed out')", async () => {
    const jwk = await generateSigningJwk("media-outage");
    const database = new URL(inject("databaseUrl"));
    database.host = "127.0.0.1:1";
    const server = await startTestServer({
      databaseUrl: database.toString(),
      env: { JWT_SIGNING_KEYS: JSON.stringify([jwk]) },
    });
    try {
      const now = Math.floor(Date.now() / 1000);
      const token = await new SignJWT({ sid: randomUUID() })
        .setProtectedHeader({ alg: "EdDSA", kid: jwk.kid, typ: "JWT" })
        .setSubject(randomUUID())
        .setIssuer(server.env.JWT_ISSUER)
        .setAudience(server.env.JWT_AUDIENCE)
        .setIssuedAt(now)
        .setExpirationTime(now + 900)
        .sign(await importJWK(jwk, "EdDSA"));
      for (const variant of ["content", "thumbnail"]) {
        const res = await server.app.inject({
          method: "GET",
          url: `/api/media/${randomUUID()}/${variant}`,
          headers: { authorization: `Bearer ${token}` },
        });
        expect(res.statusCode, variant).toBe(503);
        expect(res.body).not.toMatch(LEAK);
        expect(res.json<RestError>().error.reason).toBe("retry_later");
      }
    } finally {
      await server.close();
    }
  });
});
