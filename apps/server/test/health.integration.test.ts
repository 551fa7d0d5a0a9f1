import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";

import { startTestServer, type TestServer } from "../src/testing";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ databaseUrl: inject("databaseUrl") });
});
afterAll(() => server.close());

describe("GET /healthz", () => {
  it("answers 200 with a request id", async () => {
    const res = await server.app.inject({ method: "GET", url: "/healthz" });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: "ok" });
    expect(res.headers["x-request-id"]).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("keeps a well-formed incoming x-request-id and replaces a malformed one", async () => {
    const kept = await server.app.inject({
      method: "GET",
      url: "/healthz",
      headers: { "x-request-id": "trace-123" },
    });
    expect(kept.headers["x-request-id"]).toBe("trace-123");
    const replaced = await server.app.inject({
      method: "GET",
      url: "/healthz",
      headers: { "x-request-id": "bad id\twith spaces" },
    });
    expect(replaced.headers["x-request-id"]).not.toBe("bad id\twith spaces");
  });
});
