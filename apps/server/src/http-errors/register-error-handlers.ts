import { INTERNAL_MESSAGE } from "@lifeline/api";
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from "fastify";

import { errorBody, type EdgeError } from "./error-body";
import { codeForStatus } from "./error-codes";

export function sendError(
  req: FastifyRequest,
  reply: FastifyReply,
  status: number,
  message: string,
  extra: Partial<Pick<EdgeError, "code" | "details">> = {},
): FastifyReply {
  const error: EdgeError = {
    status,
    code: extra.code ?? codeForStatus(status),
    message,
    requestId: req.id,
  };
  if (extra.details) error.details = extra.details;
  return reply
    .status(status)
    .type("application/json; charset=utf-8")
    .send(errorBody(req.url, error));
}

function isFastifyError(error: unknown): error is FastifyError {
  return error instanceof Error && "statusCode" in error;
}

/**
 * Errors Fastify raises itself (bad JSON, unknown content type, body too large, timeouts) keep
 * their 4xx status and message; anything else is a 500 whose cause goes to error.log only.
 */
export function registerErrorHandlers(app: FastifyInstance): void {
  app.setErrorHandler((error, req, reply) => {
    const status = isFastifyError(error) ? (error.statusCode ?? 500) : 500;
    if (status >= 500) {
      req.log.error({ err: error }, "unhandled error");
      return sendError(req, reply, status, INTERNAL_MESSAGE);
    }
    if (status === 429 && reply.getHeader("retry-after") === undefined)
      reply.header("retry-after", "1");
    return sendError(req, reply, status, isFastifyError(error) ? error.message : "Bad request");
  });

  app.setNotFoundHandler((req, reply) =>
    sendError(req, reply, 404, `No route for ${req.method} ${req.url.split("?")[0] ?? ""}`),
  );
}
