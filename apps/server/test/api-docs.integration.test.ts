import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";

import { startTestServer, type TestServer } from "../src/testing";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ databaseUrl: inject("databaseUrl") });
});
afterAll(() => server.close());

const get = (url: string) => server.app.inject({ method: "GET", url });

/** "a b; c d" -> { a: "b", c: "d" } */
function directives(csp: unknown): Record<string, string> {
  return Object.fromEntries(
    String(csp)
      .split(";")
      .map((part) => part.trim())
      .filter(Boolean)
      .map((part) => {
        const [name = "", ...values] = part.split(/\s+/);
        return [name, values.join(" ")];
      }),
  );
}

describe("/api-docs", () => {
  it("serves Swagger UI from this server's own files: no CDN, no absolute URL", async () => {
    const res = await get("/api-docs");
    expect(res.statusCode).toBe(200);
    expect(res.headers["content-type"]).toMatch(/^text\/html/);
    expect(res.body).toContain("swagger-ui-bundle.js");
    expect(res.body).not.toMatch(/(src|href)="(https?:)?\/\//);
    for (const asset of [
      "/api-docs/static/swagger-ui-bundle.js",
      "/api-docs/static/swagger-ui-standalone-preset.js",
      "/api-docs/static/swagger-ui.css",
      "/api-docs/static/swagger-initializer.js",
    ]) {
      expect((await get(asset)).statusCode, asset).toBe(200);
    }
  });

  it("sets a CSP of its own: this origin's scripts and styles only, nothing inline", async () => {
    for (const url of ["/api-docs", "/api-docs/static/swagger-ui-bundle.js"]) {
      const csp = directives((await get(url)).headers["content-security-policy"]);
      expect(csp["default-src"], url).toBe("'self'");
      expect(csp["script-src"], url).toBe("'self'");
      expect(csp["connect-src"], url).toBe("'self'");
      expect(csp["frame-ancestors"], url).toBe("'none'");
      expect(csp["style-src"], url).toBe("'self'");
      expect(Object.values(csp).join(" "), url).not.toMatch(/unsafe-inline|unsafe-eval|https?:/);
    }
  });

  it("leaves the JSON API's CSP strict", async () => {
    for (const url of ["/openapi.json", "/api/auth/me", "/trpc/auth.me", "/healthz"]) {
      const csp = directives((await get(url)).headers["content-security-policy"]);
      expect(csp["default-src"], url).toBe("'none'");
    }
  });

  it("shows the same document as /openapi.json, with Authorize kept and Try it out on", async () => {
    const docs = await get("/api-docs/json");
    expect(docs.json()).toEqual((await get("/openapi.json")).json());
    const init = (await get("/api-docs/static/swagger-initializer.js")).body;
    expect(init).toContain('"persistAuthorization":true');
    expect(init).toContain('"tryItOutEnabled":true');
    expect(init).toContain("validatorUrl: null");
  });
});
