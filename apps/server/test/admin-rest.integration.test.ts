import { randomUUID } from "node:crypto";

import { appRouter, listProcedures, ZErrorResponseSchema } from "@lifeline/api";
import { generateSigningJwk } from "@lifeline/core";
import { QUEUE_NAMES, sendEmailJob } from "@lifeline/queue";
import { importJWK, SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";

import { startTestServer, type TestServer } from "../src/testing";
import { LEAK, trpcCall, type TrpcError } from "./support/http";

/**
 * The admin procedures through the real HTTP stack, over /api and /trpc: who may call them,
 * how bad input is refused, and that both transports agree. What the procedures do to the
 * queues is tested against BullMQ in packages/api/test/admin-queues.integration.test.ts.
 */

const PASSWORD = "correct horse battery";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ databaseUrl: inject("databaseUrl") });
});
afterAll(() => server.close());

async function signIn(admin: boolean): Promise<string> {
  const email = `admin-rest-${randomUUID().slice(0, 8)}@example.com`;
  await server.deps.db.user.create({
    data: {
      email,
      passwordHash: await server.deps.passwords.hash(PASSWORD),
      emailVerifiedAt: new Date(),
      role: admin ? "admin" : "user",
    },
  });
  const res = await server.app.inject({
    method: "POST",
    url: "/api/auth/login",
    payload: { email, password: PASSWORD },
  });
  expect(res.statusCode).toBe(200);
  return res.json<{ accessToken: string }>().accessToken;
}

const admin = listProcedures(appRouter).filter((p) => p.procedure.startsWith("admin."));

/** Path parameters filled in; what is left of `input` goes in the query (GET, DELETE) or body. */
function restRequest(procedure: string, input: Record<string, string> = {}) {
  const openapi = admin.find((p) => p.procedure === procedure)?.openapi;
  if (!openapi) throw new Error(`${procedure} has no REST route`);
  const inPath = new Set<string>();
  const path = openapi.path.replace(/\{(\w+)\}/g, (_, key: string) => {
    inPath.add(key);
    return encodeURIComponent(input[key] ?? "");
  });
  const rest = Object.entries(input).filter(([key]) => !inPath.has(key));
  const bodyless = openapi.method === "GET" || openapi.method === "DELETE";
  const query = bodyless && rest.length ? `?${new URLSearchParams(rest).toString()}` : "";
  return { method: openapi.method, url: `/api${path}${query}`, bodyless };
}

function rest(procedure: string, input: Record<string, string>, token?: string) {
  const { method, url } = restRequest(procedure, input);
  return server.app.inject({
    method,
    url,
    ...(token ? { headers: { authorization: `Bearer ${token}` } } : {}),
  });
}

function trpc(procedure: string, input: unknown, token?: string) {
  const method = admin.find((p) => p.procedure === procedure)?.definition._def.type;
  return trpcCall(server.app, procedure, input, {
    method: method === "query" ? "GET" : "POST",
    ...(token ? { token } : {}),
  });
}

/** A valid input for each admin procedure. */
const INPUT: Record<string, Record<string, string>> = {
  "admin.queues": {},
  "admin.failedJobs": { queue: "email", limit: "5" },
  "admin.retryJob": { queue: "email", id: "1" },
  "admin.removeJob": { queue: "email", id: "1" },
};

function restError(body: string) {
  return ZErrorResponseSchema.parse(JSON.parse(body)).error;
}

describe("admin routes: who may call them", () => {
  it("covers every admin procedure", () => {
    expect(admin.map((p) => p.procedure).sort()).toEqual(Object.keys(INPUT).sort());
  });

  it("a signed-in non-admin gets 403 FORBIDDEN in the standard shape from every one, over /api and /trpc", async () => {
    const token = await signIn(false);
    for (const { procedure } of admin) {
      const input = INPUT[procedure] ?? {};
      const viaRest = await rest(procedure, input, token);
      expect(viaRest.statusCode, procedure).toBe(403);
      expect(restError(viaRest.body)).toMatchObject({
        code: "FORBIDDEN",
        message: "This needs an administrator",
      });
      const viaTrpc = await trpc(procedure, Object.keys(input).length ? input : undefined, token);
      expect(viaTrpc.statusCode, procedure).toBe(403);
      expect(viaTrpc.json<TrpcError>().error.data.code).toBe("FORBIDDEN");
      // Even with a bad input: the role is checked first.
      expect((await rest(procedure, { queue: "nope", id: "a:b" }, token)).statusCode).toBe(403);
    }
  });

  it("without a token: 401 from every one", async () => {
    for (const { procedure } of admin) {
      const res = await rest(procedure, INPUT[procedure] ?? {});
      expect(res.statusCode, procedure).toBe(401);
      expect(restError(res.body).code).toBe("UNAUTHORIZED");
    }
  });
});

describe("admin routes for an admin", () => {
  let token: string;
  beforeAll(async () => {
    token = await signIn(true);
  });

  it("GET /api/admin/queues answers what admin.queues answers over tRPC", async () => {
    const viaRest = await rest("admin.queues", {}, token);
    expect(viaRest.statusCode).toBe(200);
    const viaTrpc = await trpc("admin.queues", undefined, token);
    expect(viaTrpc.json<{ result: { data: unknown } }>().result.data).toEqual(viaRest.json());
    expect(viaRest.json()).toMatchObject({
      queues: QUEUE_NAMES.map((name) => ({ name })),
      processes: [],
    });
  });

  it("takes limit from the query string, coerced the same way on both transports", async () => {
    const viaRest = await rest("admin.failedJobs", { queue: "email", limit: "3" }, token);
    expect(viaRest.statusCode).toBe(200);
    expect(viaRest.json()).toEqual({ queue: "email", total: 0, jobs: [] });
    // Numbers over tRPC, before and after the bridge has seen the schema.
    const viaTrpc = await trpc("admin.failedJobs", { queue: "email", limit: 3 }, token);
    expect(viaTrpc.statusCode).toBe(200);
  });

  it("answers bad input with 400 naming the field, the same on both transports", async () => {
    const cases: [string, Record<string, string>, string][] = [
      ["admin.failedJobs", { queue: "nope" }, "queue"],
      ["admin.failedJobs", { queue: "email", limit: "0" }, "limit"],
      ["admin.failedJobs", { queue: "email", limit: "101" }, "limit"],
      ["admin.failedJobs", { queue: "email", limit: "many" }, "limit"],
      ["admin.retryJob", { queue: "email", id: "a:b" }, "id"],
      ["admin.retryJob", { queue: "nope", id: "1" }, "queue"],
      ["admin.removeJob", { queue: "email", id: "x".repeat(201) }, "id"],
    ];
    for (const [procedure, input, field] of cases) {
      const viaRest = await rest(procedure, input, token);
      expect(viaRest.statusCode, `${procedure} ${field}`).toBe(400);
      const error = restError(viaRest.body);
      expect(error.code).toBe("BAD_REQUEST");
      expect(error.details?.map((d) => d.path)).toEqual([field]);
      const viaTrpc = await trpc(procedure, input, token);
      expect(viaTrpc.statusCode, `trpc ${procedure} ${field}`).toBe(400);
      expect(viaTrpc.json<TrpcError>().error.message).toBe(error.message);
    }
  });

  it("retrying a job that has not failed is 409, an unknown one 404; removing a waiting one works", async () => {
    const id = await server.deps.jobs.enqueue(sendEmailJob, {
      template: "verify-email",
      userId: randomUUID(),
    });
    const retried = await rest("admin.retryJob", { queue: "email", id }, token);
    expect(retried.statusCode).toBe(409);
    expect(restError(retried.body)).toMatchObject({
      code: "CONFLICT",
      message: `Only failed jobs can be retried; job ${id} is waiting`,
    });
    const unknown = await rest("admin.retryJob", { queue: "email", id: "no-such-job" }, token);
    expect(unknown.statusCode).toBe(404);
    expect(restError(unknown.body).code).toBe("NOT_FOUND");

    const removed = await rest("admin.removeJob", { queue: "email", id }, token);
    expect(removed.statusCode).toBe(200);
    expect(removed.json()).toEqual({ ok: true });
    expect(await server.deps.jobs.queue("email").getJob(id)).toBeUndefined();
    expect((await rest("admin.removeJob", { queue: "email", id }, token)).statusCode).toBe(404);
  });
});

describe("admin routes with Postgres down", () => {
  it("answer 503 retry_later (the session cannot be checked), never 401 or 403, leaking nothing", async () => {
    const jwk = await generateSigningJwk("admin-outage");
    const database = new URL(inject("databaseUrl"));
    database.host = "127.0.0.1:1";
    const down = await startTestServer({
      databaseUrl: database.toString(),
      env: { JWT_SIGNING_KEYS: JSON.stringify([jwk]) },
    });
    try {
      const now = Math.floor(Date.now() / 1000);
      const token = await new SignJWT({ sid: randomUUID() })
        .setProtectedHeader({ alg: "EdDSA", kid: jwk.kid, typ: "JWT" })
        .setSubject(randomUUID())
        .setIssuer(down.env.JWT_ISSUER)
        .setAudience(down.env.JWT_AUDIENCE)
        .setIssuedAt(now)
        .setExpirationTime(now + 900)
        .sign(await importJWK(jwk, "EdDSA"));
      for (const { procedure } of admin) {
        const input = INPUT[procedure] ?? {};
        const { method, url } = restRequest(procedure, input);
        const viaRest = await down.app.inject({
          method,
          url,
          headers: { authorization: `Bearer ${token}` },
        });
        expect(viaRest.statusCode, procedure).toBe(503);
        expect(restError(viaRest.body)).toMatchObject({
          code: "SERVICE_UNAVAILABLE",
          reason: "retry_later",
        });
        expect(viaRest.body).not.toMatch(LEAK);
        const viaTrpc = await trpcCall(
          down.app,
          procedure,
          Object.keys(input).length ? input : undefined,
          {
            token,
            method:
              admin.find((p) => p.procedure === procedure)?.definition._def.type === "query"
                ? "GET"
                : "POST",
          },
        );
        expect(viaTrpc.statusCode, procedure).toBe(503);
        expect(viaTrpc.body).not.toMatch(LEAK);
      }
    } finally {
      await down.close();
    }
  });
});
