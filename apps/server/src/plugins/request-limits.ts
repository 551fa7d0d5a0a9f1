import { randomUUID } from "node:crypto";
import type { Socket } from "node:net";

import type { FastifyInstance } from "fastify";

import { errorBody } from "../http-errors/error-body";
import { codeForStatus } from "../http-errors/error-codes";
import { sendError } from "../http-errors/register-error-handlers";

/** Longest request target (path + query) we read. GET tRPC batches carry input in the query. */
export const MAX_URL_LENGTH = 8192;

/** Refuses over-long URLs before routing, with the standard body instead of a parser failure. */
export function registerUrlLengthLimit(app: FastifyInstance): void {
  app.addHook("onRequest", async (req, reply) => {
    if (req.url.length > MAX_URL_LENGTH) {
      return sendError(req, reply, 414, `Request URL is longer than ${MAX_URL_LENGTH} characters`);
    }
  });
}

const STATUS_TEXT: Record<number, string> = {
  400: "Bad Request",
  408: "Request Timeout",
  413: "Payload Too Large",
  431: "Request Header Fields Too Large",
};

/**
 * Node answers malformed requests (over-long headers: 431, garbage: 400) before Fastify sees
 * a request. This writes those answers in the standard error shape too.
 */
export function clientErrorHandler(error: Error & { code?: string }, socket: Socket): void {
  if (!socket.writable) return;
  const status =
    error.code === "HPE_HEADER_OVERFLOW"
      ? 431
      : error.code === "ERR_HTTP_REQUEST_TIMEOUT"
        ? 408
        : 400;
  const message =
    status === 431
      ? "Request headers are too large"
      : status === 408
        ? "Request timed out"
        : "Malformed HTTP request";
  const body = JSON.stringify(
    errorBody("", { status, code: codeForStatus(status), message, requestId: randomUUID() }),
  );
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_TEXT[status] ?? "Bad Request"}\r\n` +
      "Connection: close\r\n" +
      "Content-Type: application/json; charset=utf-8\r\n" +
      `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}
