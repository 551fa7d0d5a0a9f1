import { clientKey, rateLimitHeaders, type RateLimits } from "@lifeline/api";
import type { FastifyInstance } from "fastify";

import { sendError } from "../http-errors/register-error-handlers";

/** Probes and key discovery must answer whatever a client has spent. */
const UNLIMITED_PATHS = new Set(["/healthz", "/readyz", "/.well-known/jwks.json"]);

/** Swagger UI's scripts and styles: a page of docs should not cost a dozen API requests. */
const DOCS_ASSETS = "/api-docs/static/";

const DEGRADED_LOG_INTERVAL_MS = 30_000;

/**
 * The global per-client limit, for every route of both transports (/trpc and /api alike),
 * counted in Redis so all instances share it. Every call of a tRPC batch counts. CORS preflights are not counted: a browser
 * sends them on its own, and counting them would halve a page's budget.
 * If Redis cannot answer, this limit fails open (logged); the credential limits fail closed.
 */
export function registerGlobalRateLimit(app: FastifyInstance, rateLimits: RateLimits): void {
  if (!rateLimits.enabled) return;
  let lastDegradedLog = 0;
  app.addHook("onRequest", async (req, reply) => {
    const path = req.url.split("?")[0] ?? "";
    if (req.method === "OPTIONS" || UNLIMITED_PATHS.has(path) || path.startsWith(DOCS_ASSETS))
      return;
    // Routes with a per-user budget of their own (media bytes) spend that instead.
    if (req.routeOptions.config.rateBudget) return;
    const result = await rateLimits.checkGlobal(clientKey(req.ip), req.procedureCalls);
    if (result.degraded) {
      const now = Date.now();
      if (now - lastDegradedLog > DEGRADED_LOG_INTERVAL_MS) {
        lastDegradedLog = now;
        req.log.warn({ err: result.cause }, "global rate limit unavailable: allowing requests");
      }
      return;
    }
    const headers = rateLimitHeaders(result);
    reply.headers(headers);
    if (!result.allowed) {
      const retryAfter = headers["Retry-After"] ?? "1";
      return sendError(req, reply, 429, `Too many requests; retry in ${retryAfter} seconds`, {
        reason: "retry_later",
      });
    }
  });
}
