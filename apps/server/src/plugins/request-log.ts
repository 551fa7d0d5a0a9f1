import type { FastifyInstance } from "fastify";

declare module "fastify" {
  interface FastifyRequest {
    /** Set once the bearer token is verified, so the request line can name the user. */
    userId: string | null;
  }
}

/**
 * One line per request: method, route, path (never the query string: it can carry codes and
 * tokens), status, duration, client IP and user id; the request id comes with every line of
 * `req.log`. Replaces Fastify's two lines.
 */
export function registerRequestLog(app: FastifyInstance): void {
  app.decorateRequest("userId", null);
  app.addHook("onResponse", async (req, reply) => {
    const status = reply.statusCode;
    const line = {
      method: req.method,
      route: req.routeOptions.url ?? null,
      path: req.url.split("?")[0],
      status,
      durationMs: Math.round(reply.elapsedTime * 10) / 10,
      ip: req.ip,
      userId: req.userId,
    };
    if (status >= 500) req.log.error(line, "request");
    else req.log.info(line, "request");
  });
}
