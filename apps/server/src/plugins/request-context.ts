import { createContext, type ApiDeps, type Context } from "@lifeline/api";
import type { FastifyReply, FastifyRequest } from "fastify";

/** What the API needs to know about a Fastify request; the same for /trpc and /api. */
export function requestInfo(req: FastifyRequest, reply: FastifyReply) {
  const userAgent = req.headers["user-agent"];
  return {
    requestId: req.id,
    ip: req.ip || null,
    userAgent: typeof userAgent === "string" ? userAgent : null,
    authorization: req.headers.authorization ?? null,
    logger: req.log,
    setHeader: (name: string, value: string) => void reply.header(name, value),
  };
}

/** Both transports' createContext: builds the context and lets the request log name the user. */
export async function createRequestContext(
  deps: ApiDeps,
  req: FastifyRequest,
  reply: FastifyReply,
): Promise<Context> {
  const ctx = await createContext(deps, requestInfo(req, reply));
  req.userId = ctx.auth?.user.id ?? null;
  return ctx;
}

/** Both transports' onError: expected errors (4xx) are the caller's; only 5xx are ours. */
export function logProcedureError(event: {
  error: { code: string; cause?: unknown };
  path?: string | undefined;
  req: FastifyRequest;
}): void {
  if (event.error.code === "INTERNAL_SERVER_ERROR") {
    event.req.log.error(
      { err: event.error.cause ?? event.error, path: event.path },
      "procedure failed",
    );
  }
}
