import type { FastifyInstance } from "fastify";

import { sendError } from "../http-errors/register-error-handlers";

declare module "fastify" {
  interface FastifyRequest {
    /** Procedure calls this request carries: a tRPC batch names several, anything else one. */
    procedureCalls: number;
  }
}

export const TRPC_PREFIX = "/trpc/";

/** How many procedures a /trpc URL names (`/trpc/a,b,c?batch=1` names three). */
export function trpcCallCount(url: string): number {
  const path = url.split("?")[0] ?? "";
  if (!path.startsWith(TRPC_PREFIX)) return 1;
  return path.slice(TRPC_PREFIX.length).split(",").length;
}

/**
 * Caps the calls in one tRPC batch (TRPC_MAX_BATCH_SIZE) before anything runs, in the
 * standard error shape and without echoing the URL. Without a cap, one request could carry
 * hundreds of calls; with it, each call also counts against the global limit (see
 * global-rate-limit.ts), so a batch costs what its calls would cost sent one by one.
 */
export function registerTrpcBatchLimit(app: FastifyInstance, maxCalls: number): void {
  app.decorateRequest("procedureCalls", 1);
  app.addHook("onRequest", async (req, reply) => {
    req.procedureCalls = trpcCallCount(req.url);
    if (req.procedureCalls > maxCalls) {
      return sendError(
        req,
        reply,
        400,
        `A batch may hold at most ${maxCalls} calls; this one holds ${req.procedureCalls}`,
      );
    }
  });
}
