import { connect } from "node:net";

import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";

import { startTestServer, type TestServer } from "../src/testing";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({
    databaseUrl: inject("databaseUrl"),
    listen: true,
    env: { CORS_ORIGINS: "https://app.example,https://admin.example" },
  });
});
afterAll(() => server.close());

interface RestError {
  error: { code: string; message: string; requestId: string; details?: unknown };
}
interface TRPCErrorEnvelope {
  error: {
    message: string;
    code: number;
    data: { code: string; httpStatus: number; requestId: string };
  };
}

describe("CORS", () => {
  it("answers a preflight from an allowed origin with credentials, methods, headers and max-age", async () => {
    const res = await server.app.inject({
      method: "OPTIONS",
      url: "/trpc/auth.login",
      headers: {
        origin: "https://app.example",
        "access-control-request-method": "POST",
        "access-control-request-headers": "content-type,authorization",
      },
    });
    expect(res.statusCode).toBe(204);
    expect(res.headers["access-control-allow-origin"]).toBe("https://app.example");
    expect(res.headers["access-control-allow-credentials"]).toBe("true");
    expect(res.headers["access-control-allow-methods"]).toContain("POST");
    expect(String(res.headers["access-control-allow-headers"])).toContain("authorization");
    expect(res.headers["access-control-max-age"]).toBe("600");
  });

  it("lets a frontend on another origin ask for byte ranges and read their headers", async () => {
    const preflight = await server.app.inject({
      method: "OPTIONS",
      url: "/api/media/6f1d3a4e-2b7c-4d8e-9f01-23456789abcd/content",
      headers: {
        origin: "https://app.example",
        "access-control-request-method": "GET",
        "access-control-request-headers": "authorization,range,if-none-match",
      },
    });
    const allowed = String(preflight.headers["access-control-allow-headers"]);
    for (const header of ["range", "if-none-match", "if-range"]) expect(allowed).toContain(header);
    const get = await server.app.inject({
      method: "GET",
      url: "/healthz",
      headers: { origin: "https://app.example" },
    });
    const exposed = String(get.headers["access-control-expose-headers"]);
    for (const header of ["content-range", "etag", "accept-ranges", "content-disposition"]) {
      expect(exposed).toContain(header);
    }
  });

  it("gives an origin off the list no Access-Control-Allow-Origin", async () => {
    for (const method of ["OPTIONS", "GET"] as const) {
      const res = await server.app.inject({
        method,
        url: "/healthz",
        headers: { origin: "https://evil.example", "access-control-request-method": "GET" },
      });
      expect(res.headers["access-control-allow-origin"]).toBeUndefined();
    }
  });
});

describe("security headers and compression", () => {
  it("sets helmet's headers on every response", async () => {
    const res = await server.app.inject({ method: "GET", url: "/healthz" });
    expect(res.headers["x-content-type-options"]).toBe("nosniff");
    expect(res.headers["x-frame-options"]).toBe("SAMEORIGIN");
    expect(res.headers["strict-transport-security"]).toContain("max-age=");
    expect(res.headers["content-security-policy"]).toContain("default-src 'none'");
    expect(res.headers["x-powered-by"]).toBeUndefined();
  });

  it("compresses a large JSON response and leaves a small one alone", async () => {
    const credentials = { email: "many-sessions@example.com", password: "correct horse battery" };
    await server.app.inject({ method: "POST", url: "/trpc/auth.register", payload: credentials });
    let accessToken = "";
    for (let i = 0; i < 25; i++) {
      const login = await server.app.inject({
        method: "POST",
        url: "/trpc/auth.login",
        payload: credentials,
        headers: { "user-agent": `device-${i} `.repeat(10) },
      });
      accessToken = login.json<{ result: { data: { accessToken: string } } }>().result.data
        .accessToken;
    }
    for (const encoding of ["gzip", "br"]) {
      const res = await fetch(`${server.url}/trpc/auth.sessions`, {
        headers: { authorization: `Bearer ${accessToken}`, "accept-encoding": encoding },
      });
      expect(res.status).toBe(200);
      expect(res.headers.get("content-encoding")).toBe(encoding);
      // fetch decompresses: the body must still be the full, valid list.
      const body = (await res.json()) as { result: { data: { sessions: unknown[] } } };
      expect(body.result.data.sessions).toHaveLength(25);
    }
    const small = await server.app.inject({
      method: "GET",
      url: "/healthz",
      headers: { "accept-encoding": "gzip" },
    });
    expect(small.headers["content-encoding"]).toBeUndefined();
  });
});

describe("errors at the edge", () => {
  it("answers an unknown route with 404 in the standard shape, request id included", async () => {
    const res = await server.app.inject({ method: "GET", url: "/api/nothing-here?x=1" });
    expect(res.statusCode).toBe(404);
    const body = res.json<RestError>();
    expect(body.error.code).toBe("NOT_FOUND");
    expect(body.error.message).toBe("No route for GET at this path");
    expect(body.error.requestId).toBe(res.headers["x-request-id"]);
  });

  it("answers malformed JSON with 400, not 500", async () => {
    const res = await server.app.inject({
      method: "POST",
      url: "/trpc/auth.login",
      headers: { "content-type": "application/json" },
      payload: '{"email": "a@example.com", "password": ',
    });
    expect(res.statusCode).toBe(400);
    const body = res.json<TRPCErrorEnvelope>();
    expect(body.error.data.code).toMatch(/PARSE_ERROR|BAD_REQUEST/);
    expect(body.error.data.requestId).toBe(res.headers["x-request-id"]);
  });

  it("answers an unsupported content type with 415", async () => {
    const res = await server.app.inject({
      method: "POST",
      url: "/trpc/auth.login",
      headers: { "content-type": "application/xml" },
      payload: "<login/>",
    });
    expect(res.statusCode).toBe(415);
    expect(res.json<TRPCErrorEnvelope>().error.data).toMatchObject({
      code: "UNSUPPORTED_MEDIA_TYPE",
      httpStatus: 415,
    });
  });

  it("answers a body over the limit with 413", async () => {
    const res = await server.app.inject({
      method: "POST",
      url: "/trpc/auth.login",
      headers: { "content-type": "application/json" },
      payload: JSON.stringify({ email: "a@example.com", password: "x".repeat(1024 * 1024) }),
    });
    expect(res.statusCode).toBe(413);
    expect(res.json<TRPCErrorEnvelope>().error.data.code).toBe("PAYLOAD_TOO_LARGE");
  });

  it("answers an over-long URL with 414", async () => {
    const res = await server.app.inject({ method: "GET", url: `/healthz?pad=${"a".repeat(9000)}` });
    expect(res.statusCode).toBe(414);
    expect(res.json<RestError>().error.code).toBe("URI_TOO_LONG");
  });

  it("answers over-long headers with 431 and the standard body", async () => {
    const { port } = new URL(server.url);
    const raw = await new Promise<string>((resolve, reject) => {
      const socket = connect(Number(port), "127.0.0.1", () => {
        socket.write(`GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${"a".repeat(20_000)}\r\n\r\n`);
      });
      let data = "";
      socket.on("data", (chunk) => (data += chunk.toString()));
      socket.on("end", () => resolve(data));
      socket.on("error", reject);
    });
    expect(raw).toMatch(/^HTTP\/1\.1 431 /);
    const body = JSON.parse(raw.slice(raw.indexOf("\r\n\r\n") + 4)) as RestError;
    expect(body.error.code).toBe("REQUEST_HEADER_FIELDS_TOO_LARGE");
  });

  it("rejects validation failures with 400 naming the fields", async () => {
    const res = await server.app.inject({
      method: "POST",
      url: "/trpc/auth.register",
      payload: { email: "nope", password: 5 },
    });
    expect(res.statusCode).toBe(400);
    const body = res.json<{ error: { message: string; data: { details: { path: string }[] } } }>();
    expect(body.error.data.details.map((d) => d.path).sort()).toEqual(["email", "password"]);
    expect(body.error.message).toContain("email");
  });
});

describe("GET /readyz", () => {
  it("is ready when Postgres and Redis answer (degraded, not failed, without a jobs process)", async () => {
    const res = await server.app.inject({ method: "GET", url: "/readyz" });
    expect(res.statusCode).toBe(200);
    // The jobs section in detail: readyz-jobs.integration.test.ts.
    expect(res.json()).toEqual({
      status: "degraded",
      checks: { postgres: "ok", redis: "ok", jobs: "no workers", backups: "ok" },
      redis: { maxmemoryPolicy: expect.any(String) },
      jobs: { processes: 0, queues: [] },
      // The backups section in detail: readyz-backups.integration.test.ts.
      backups: { database: expect.any(Object), media: expect.any(Object) },
      warnings: expect.any(Array),
      eventLoopDelayMs: expect.any(Number),
    });
  });

  it("goes 503 and names Redis when Redis is unreachable", async () => {
    const broken = await startTestServer({
      databaseUrl: inject("databaseUrl"),
      env: { REDIS_URL: "redis://127.0.0.1:1" },
    });
    try {
      const started = Date.now();
      const res = await broken.app.inject({ method: "GET", url: "/readyz" });
      expect(Date.now() - started).toBeLessThan(3000);
      expect(res.statusCode).toBe(503);
      const body = res.json<RestError & { checks: Record<string, string> }>();
      expect(body.error.code).toBe("SERVICE_UNAVAILABLE");
      expect(body.error.message).toBe("Not ready: redis unavailable");
      expect(body.checks.postgres).toBe("ok");
      // The dependency is named; the driver's words stay in the log.
      expect(body.checks.redis).toBe("unavailable");
      expect(JSON.stringify(body)).not.toMatch(/ECONNREFUSED|127\.0\.0\.1|connect/i);
      expect((await broken.app.inject({ method: "GET", url: "/healthz" })).statusCode).toBe(200);
    } finally {
      await broken.close();
    }
  });

  it("goes 503 and names Postgres when the database is unreachable", async () => {
    const url = new URL(inject("databaseUrl"));
    url.port = "1";
    const broken = await startTestServer({ databaseUrl: url.toString() });
    try {
      const res = await broken.app.inject({ method: "GET", url: "/readyz" });
      expect(res.statusCode).toBe(503);
      expect(res.json<RestError>().error.message).toBe("Not ready: postgres unavailable");
    } finally {
      await broken.close();
    }
  });
});
