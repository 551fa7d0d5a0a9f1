import { appErrorFor, INTERNAL_MESSAGE } from "@lifeline/api";
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from "fastify";

import { errorBody, type EdgeError } from "./error-body";
import { codeForStatus } from "./error-codes";

export function sendError(
  req: FastifyRequest,
  reply: FastifyReply,
  status: number,
  message: string,
  extra: Partial<Pick<EdgeError, "code" | "details" | "reason">> = {},
): FastifyReply {
  const error: EdgeError = {
    status,
    code: extra.code ?? codeForStatus(status),
    message,
    requestId: req.id,
  };
  if (extra.reason) error.reason = extra.reason;
  if (extra.details) error.details = extra.details;
  return reply
    .status(status)
    .type("application/json; charset=utf-8")
    .send(errorBody(req.url, error));
}

function isFastifyError(error: unknown): error is FastifyError {
  return error instanceof Error && "statusCode" in error;
}

/** The answer for a route that does not exist; it never repeats the URL back. */
export function notFoundMessage(method: string): string {
  return `No route for ${method} at this path`;
}

const STATUS_FOR: Record<string, number> = {
  BAD_REQUEST: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  TOO_MANY_REQUESTS: 429,
  SERVICE_UNAVAILABLE: 503,
  INTERNAL_SERVER_ERROR: 500,
};

/**
 * Errors Fastify raises itself (bad JSON, unknown content type, body too large, timeouts) keep
 * their 4xx status and message. Domain errors and outages (Postgres or Redis down) get their
 * own status, code and reason; anything else is a 500 whose cause goes to error.log only.
 */
export function registerErrorHandlers(app: FastifyInstance): void {
  app.setErrorHandler((error, req, reply) => {
    if (isFastifyError(error) && (error.statusCode ?? 500) < 500) {
      const status = error.statusCode ?? 400;
      if (status === 429 && reply.getHeader("retry-after") === undefined)
        reply.header("retry-after", "1");
      return sendError(req, reply, status, error.message);
    }
    const appError = appErrorFor(error);
    if (!appError || appError.code === "INTERNAL_SERVER_ERROR") {
      req.log.error({ err: error }, "unhandled error");
      return sendError(req, reply, 500, INTERNAL_MESSAGE);
    }
    const status = STATUS_FOR[appError.code] ?? 500;
    if (status >= 500) req.log.error({ err: error }, "dependency unavailable");
    if (appError.retryAfterSeconds !== undefined)
      reply.header("retry-after", String(appError.retryAfterSeconds));
    return sendError(req, reply, status, appError.message, {
      code: appError.code,
      ...(appError.reason ? { reason: appError.reason } : {}),
      ...(appError.details ? { details: appError.details } : {}),
    });
  });

  app.setNotFoundHandler((req, reply) => sendError(req, reply, 404, notFoundMessage(req.method)));
}
