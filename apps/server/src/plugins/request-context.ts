import { createContext, isDependencyFailure, type ApiDeps, type Context } from "@lifeline/api";
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
    // One per HTTP request: every call of a tRPC batch shares it.
    budget: { passwordCalls: 0 },
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

/**
 * Both transports' onError: expected errors (4xx) are the caller's; 5xx are ours and go to
 * error.log with their stack. An outage (503 caused by Postgres or Redis) is an error; a
 * shed request (503 because the password pool's queue is full) a warning.
 */
export function logProcedureError(event: {
  error: { code: string; cause?: unknown };
  path?: string | undefined;
  req: FastifyRequest;
}): void {
  const { code, cause } = event.error;
  if (code === "INTERNAL_SERVER_ERROR") {
    event.req.log.error({ err: cause ?? event.error, path: event.path }, "procedure failed");
  } else if (code === "SERVICE_UNAVAILABLE") {
    const outage = cause instanceof Error && isDependencyFailure(cause.cause);
    const level = outage ? "error" : "warn";
    event.req.log[level]({ err: cause, path: event.path }, "procedure unavailable");
  }
}
