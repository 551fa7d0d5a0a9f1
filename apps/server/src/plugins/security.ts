import compress from "@fastify/compress";
import cors from "@fastify/cors";
import type { FastifyInstance } from "fastify";
import helmet from "helmet";

export interface SecurityOptions {
  corsOrigins: string[];
}

/** Headers browsers may send us, and those our answers let them read. */
const ALLOWED_HEADERS = [
  "authorization",
  "content-type",
  "x-request-id",
  "trpc-accept",
  // Media bytes: partial and conditional requests from a frontend on another origin.
  "range",
  "if-none-match",
  "if-range",
];
const EXPOSED_HEADERS = [
  "x-request-id",
  "retry-after",
  "ratelimit-limit",
  "ratelimit-remaining",
  "ratelimit-reset",
  "content-range",
  "accept-ranges",
  "etag",
  "content-disposition",
];

/** CORS from an allow-list, helmet's security headers, and gzip/brotli above 1 KiB. */
export async function registerSecurity(
  app: FastifyInstance,
  options: SecurityOptions,
): Promise<void> {
  const allowed = new Set(options.corsOrigins);
  await app.register(cors, {
    // An origin off the list gets no Access-Control-Allow-Origin at all, so the browser blocks it.
    origin: (origin, callback) => {
      callback(null, origin !== undefined && allowed.has(origin));
    },
    credentials: true,
    methods: ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"],
    allowedHeaders: ALLOWED_HEADERS,
    exposedHeaders: EXPOSED_HEADERS,
    maxAge: 600,
  });
  // helmet's middleware is built once here: @fastify/helmet 13 rebuilds it (and re-parses
  // the CSP) on every request, which cost more than the rest of a /healthz request.
  const securityHeaders = helmet({
    // A JSON API: nothing here should ever be framed or run scripts, except the API docs,
    // whose route sets its own policy.
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'none'"],
        frameAncestors: ["'none'"],
      },
    },
    crossOriginResourcePolicy: { policy: "same-site" },
  });
  app.addHook("onRequest", (req, reply, done) => {
    securityHeaders(req.raw, reply.raw, (error?: unknown) => {
      done(error instanceof Error ? error : undefined);
    });
  });
  await app.register(compress, { global: true, threshold: 1024, encodings: ["br", "gzip"] });
}
