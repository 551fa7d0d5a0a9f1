import SwaggerParser from "@apidevtools/swagger-parser";
import {
  appRouter,
  BEARER_SCHEME,
  listProcedures,
  OPERATION_EXAMPLES,
  ZErrorResponseSchema,
} from "@lifeline/api";
import type { AnyProcedure } from "@trpc/server";
import type { OpenApiMeta } from "trpc-to-openapi";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";

import { PLAIN_ROUTE_MODULES, PUBLIC_PLAIN_ROUTE_MODULES } from "../src/routes/plain-routes";
import { startTestServer, type TestServer } from "../src/testing";

/** A zod schema, as far as this test needs one (zod is not a dependency of the server). */
interface Schema {
  safeParse(value: unknown): { success: boolean };
}

interface Operation {
  operationId: string;
  security?: Record<string, string[]>[];
  requestBody?: { content: Record<string, { schema: unknown; example?: unknown }> };
  responses: Record<
    string,
    { content?: Record<string, { schema: { $ref?: string }; example?: unknown }> }
  >;
}
interface Document {
  openapi: string;
  servers: { url: string }[];
  paths: Record<string, Record<string, Operation>>;
  components: {
    schemas: Record<string, unknown>;
    securitySchemes: Record<string, { type: string; scheme?: string }>;
  };
}

let server: TestServer;
let doc: Document;

beforeAll(async () => {
  server = await startTestServer({ databaseUrl: inject("databaseUrl") });
  const res = await server.app.inject({ method: "GET", url: "/openapi.json" });
  expect(res.statusCode).toBe(200);
  expect(res.headers["content-type"]).toMatch(/^application\/json/);
  doc = res.json<Document>();
});
afterAll(() => server.close());

/** Every documented operation, as [path, method, operation]. */
function operations(): [string, string, Operation][] {
  return Object.entries(doc.paths).flatMap(([path, item]) =>
    Object.entries(item).map(([method, op]): [string, string, Operation] => [path, method, op]),
  );
}

describe("/openapi.json", () => {
  it("is a valid OpenAPI 3.1 document", async () => {
    expect(doc.openapi).toMatch(/^3\.1\./);
    // validate() dereferences in place: give it a copy.
    await expect(SwaggerParser.validate(structuredClone(doc) as never)).resolves.toBeTruthy();
  });

  it("points at the REST bridge with a relative server URL, so it works on any host", () => {
    expect(doc.servers).toEqual([{ url: "/api" }]);
  });

  it("has a route for every procedure of AppRouter (a procedure without meta fails here)", () => {
    // Walk the router itself, not the document: what is missing from the document is the point.
    // tRPC keeps _def.procedures flat ("auth.login": procedure) whatever its type says.
    const procedures = Object.entries(
      appRouter._def.procedures as unknown as Record<string, AnyProcedure>,
    );
    expect(procedures.length).toBeGreaterThan(0);
    for (const [name, procedure] of procedures) {
      const openapi = (procedure._def.meta as OpenApiMeta | undefined)?.openapi;
      expect(openapi, `${name} has no OpenAPI meta`).toBeDefined();
      if (!openapi) continue;
      const op = doc.paths[openapi.path]?.[openapi.method.toLowerCase()];
      expect(op, `${name}: ${openapi.method} ${openapi.path} missing`).toBeDefined();
      expect(op?.operationId).toBe(name.replace(/\./g, "-"));
      expect(openapi.summary, `${name} has no summary`).toBeTruthy();
      expect(openapi.tags?.length, `${name} has no tags`).toBeGreaterThan(0);
      const { output } = procedure._def as unknown as { output?: Schema };
      expect(output, `${name} has no typed output`).toBeDefined();
    }
    // ...and nothing else is documented, but the plain routes (uploads, byte streams, the
    // OAuth callback).
    const plainRoutes = [...PLAIN_ROUTE_MODULES, ...PUBLIC_PLAIN_ROUTE_MODULES].flatMap(
      (module) => module.docs,
    );
    expect(operations()).toHaveLength(procedures.length + plainRoutes.length);
  });

  it("declares bearer auth and references it from protected operations only", () => {
    expect(doc.components.securitySchemes[BEARER_SCHEME]).toMatchObject({
      type: "http",
      scheme: "bearer",
    });
    for (const { procedure, openapi } of listProcedures(appRouter)) {
      if (!openapi) continue;
      const op = doc.paths[openapi.path]?.[openapi.method.toLowerCase()];
      if (openapi.protect) expect(op?.security, procedure).toEqual([{ [BEARER_SCHEME]: [] }]);
      else expect(op?.security, procedure).toBeUndefined();
    }
  });

  it("documents protection as the server enforces it: protected routes refuse a call without a token", async () => {
    for (const { procedure, openapi } of listProcedures(appRouter)) {
      if (!openapi) continue;
      const path = openapi.path.replace(/\{[^}]+\}/g, "00000000-0000-4000-8000-000000000000");
      const hasBody = !["GET", "DELETE"].includes(openapi.method);
      const res = await server.app.inject({
        method: openapi.method,
        url: `/api${path}`,
        ...(hasBody ? { payload: {} } : {}),
      });
      if (openapi.protect) expect(res.statusCode, procedure).toBe(401);
      else expect(res.statusCode, procedure).not.toBe(401);
    }
  });

  it("has the shared Error schema, and every error response uses it", () => {
    expect(doc.components.schemas.Error).toMatchObject({
      type: "object",
      required: ["error"],
      properties: {
        error: {
          required: ["code", "message", "requestId"],
          properties: {
            code: { type: "string" },
            message: { type: "string" },
            requestId: { type: "string" },
            details: { type: "array" },
          },
        },
      },
    });
    for (const [path, method, op] of operations()) {
      const statuses = Object.keys(op.responses);
      // The OAuth callback only ever redirects (302); everything else answers 200.
      expect(statuses, `${method} ${path}`).toContain(path.endsWith("/callback") ? "302" : "200");
      expect(statuses, `${method} ${path}`).toContain("429");
      for (const status of statuses.filter((s) => Number(s) >= 400)) {
        const json = op.responses[status]?.content?.["application/json"];
        expect(json?.schema.$ref, `${method} ${path} ${status}`).toBe("#/components/schemas/Error");
        // The example is a body the API could really send.
        expect(() => ZErrorResponseSchema.parse(json?.example)).not.toThrow();
      }
    }
    // The generator's own error schemas are gone.
    expect(Object.keys(doc.components.schemas).filter((s) => s.startsWith("error."))).toEqual([]);
  });

  it("has examples for the main bodies, and each one passes the procedure's own schemas", () => {
    for (const { procedure, openapi, definition } of listProcedures(appRouter)) {
      if (!openapi) continue;
      const examples = OPERATION_EXAMPLES[procedure];
      expect(examples, `${procedure} has no examples`).toBeDefined();
      const op = doc.paths[openapi.path]?.[openapi.method.toLowerCase()];
      const input = (definition._def.inputs as unknown as Schema[])[0];
      const output = (definition._def as unknown as { output: Schema }).output;
      if (examples?.request !== undefined) {
        expect(input?.safeParse(examples.request).success, `${procedure} request example`).toBe(
          true,
        );
        expect(op?.requestBody?.content["application/json"]?.example).toEqual(examples.request);
      }
      expect(output.safeParse(examples?.response).success, `${procedure} response example`).toBe(
        true,
      );
      expect(op?.responses["200"]?.content?.["application/json"]?.example).toEqual(
        examples?.response,
      );
    }
  });

  it("documents the upload as a multipart form with a binary `file`, so Swagger UI can send one", () => {
    const op = doc.paths["/media"]?.post as
      (Operation & { requestBody: { content: Record<string, { schema: unknown }> } }) | undefined;
    expect(op?.operationId).toBe("media-upload");
    expect(op?.security).toEqual([{ [BEARER_SCHEME]: [] }]);
    expect(op?.requestBody.content["multipart/form-data"]?.schema).toMatchObject({
      type: "object",
      required: ["file"],
      properties: { file: { type: "string", format: "binary" } },
    });
    expect(Object.keys(op?.responses ?? {})).toEqual(
      expect.arrayContaining(["200", "201", "400", "401", "413", "415", "429", "500"]),
    );
    for (const status of ["200", "201"]) {
      expect(op?.responses[status]?.content?.["application/json"]?.schema).toMatchObject({
        properties: { item: { $ref: "#/components/schemas/MediaItem" } },
      });
    }
    expect(doc.components.schemas.MediaItem).toBeDefined();
  });

  it("answers the same bytes every time (built once per process)", async () => {
    const again = await server.app.inject({ method: "GET", url: "/openapi.json" });
    expect(again.json()).toEqual(doc);
    // A JSON document: the strict API CSP stays.
    expect(again.headers["content-security-policy"]).toContain("default-src 'none'");
  });
});
