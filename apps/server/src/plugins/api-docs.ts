import swagger, { type StaticDocumentSpec } from "@fastify/swagger";
import swaggerUi from "@fastify/swagger-ui";
import { createOpenApiDocument, type PlainRouteDoc } from "@lifeline/api";
import type { FastifyInstance } from "fastify";

import { REST_BASE_PATH } from "./rest";

export const OPENAPI_PATH = "/openapi.json";
export const API_DOCS_PREFIX = "/api-docs";

/**
 * The browsable docs load only their own files (served from @fastify/swagger-ui, no CDN) and
 * call only this server; everything else stays at helmet's `default-src 'none'`.
 * Swagger UI styles elements through the DOM, which CSP allows; the browser test fails on
 * any violation.
 */
const API_DOCS_CSP = {
  "default-src": "'self'",
  "base-uri": "'self'",
  "connect-src": "'self'",
  // swagger-ui.css draws its icons as data: images.
  "img-src": ["'self'", "data:"],
  "script-src": "'self'",
  "style-src": "'self'",
  "object-src": "'none'",
  "form-action": "'self'",
  "frame-ancestors": "'none'",
};

/**
 * GET /openapi.json, and Swagger UI at /api-docs on the same document and server. The
 * document (the bridge's procedures and the plain routes) is built once per app: neither can
 * change while it runs.
 */
export async function registerApiDocs(
  app: FastifyInstance,
  plainRoutes: readonly PlainRouteDoc[],
): Promise<void> {
  const document = createOpenApiDocument({ baseUrl: REST_BASE_PATH, plainRoutes });
  const json = JSON.stringify(document);

  app.get(OPENAPI_PATH, async (_req, reply) =>
    reply.type("application/json; charset=utf-8").send(json),
  );

  await app.register(async (docs) => {
    await docs.register(swagger, {
      mode: "static",
      // Typed for OpenAPI 3.0 documents; ours is 3.1, which Swagger UI reads as well.
      specification: { document } as StaticDocumentSpec,
    });
    await docs.register(swaggerUi, {
      routePrefix: API_DOCS_PREFIX,
      staticCSP: API_DOCS_CSP,
      theme: { title: "Lifeline API" },
      uiConfig: {
        // No top bar: its "Explore" box would load other documents, and its inline SVG logo
        // carries a <style> this CSP refuses.
        layout: "BaseLayout",
        persistAuthorization: true,
        tryItOutEnabled: true,
        displayRequestDuration: true,
        docExpansion: "list",
        defaultModelsExpandDepth: 0,
      },
    });
  });
}
