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

describe("GET /readyz", () => {
  it("reuses one answer for about a second, so a probe storm costs one round trip", async () => {
    const { buildApp } = await import("../src/app");
    const { silentLogger } = await import("@lifeline/logger");
    let probes = 0;
    const app = await buildApp({
      env: server.env,
      deps: server.deps,
      logger: silentLogger(),
      readinessChecks: {
        postgres: async () => {
          probes++;
        },
      },
    });
    try {
      const answers = await Promise.all(
        Array.from({ length: 50 }, () => app.inject({ method: "GET", url: "/readyz" })),
      );
      expect(answers.every((a) => a.statusCode === 200)).toBe(true);
      expect(probes).toBe(1);
      await new Promise((resolve) => setTimeout(resolve, 1100));
      await app.inject({ method: "GET", url: "/readyz" });
      expect(probes).toBe(2);
    } finally {
      await app.close();
    }
  });
});
