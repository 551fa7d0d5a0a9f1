import { appRouter, readBridgeError, type ApiDeps } from "@lifeline/api";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { fastifyTRPCOpenApiPlugin } from "trpc-to-openapi";

import { errorBody } from "../http-errors/error-body";
import { notFoundMessage, sendError } from "../http-errors/register-error-handlers";
import { createRequestContext, logProcedureError } from "./request-context";

/** Where the REST bridge lives; the OpenAPI document's server URL. */
export const REST_BASE_PATH = "/api";

const BODY_METHODS = new Set(["POST", "PUT", "PATCH"]);

/**
 * REST for every procedure (trpc-to-openapi), on the same router and context as /trpc, so
 * auth, rate limits and errors are the procedures' own. Edge hooks (CORS, helmet, global
 * limits, the request log) apply as to any route. Scoped here: trpc-to-openapi's error
 * body becomes the standard `{ error: { code, message, details?, requestId } }`.
 */
export async function registerRest(app: FastifyInstance, deps: ApiDeps): Promise<void> {
  await app.register(async (api) => {
    // trpc-to-openapi strips the base path from req.raw.url, and Fastify's req.url reads
    // it from there: keep the real URL for the request log and the error bodies.
    const urls = new WeakMap<FastifyRequest, string>();
    api.addHook("onRequest", async (req, reply) => {
      urls.set(req, req.url);
      // Fastify routes HEAD to the bridge's GET route, where it matches no procedure and
      // trpc-to-openapi answers 204 ("warmup"), even for paths that do not exist.
      if (req.method === "HEAD") {
        return sendError(req, reply, 405, "HEAD is not supported here; use GET");
      }
    });

    // A POST without a body means "no input" (curl -X POST, Swagger UI for void inputs);
    // the bridge would refuse it for lacking a JSON content type.
    api.addHook("preHandler", async (req) => {
      if (
        BODY_METHODS.has(req.method) &&
        req.body === undefined &&
        req.headers["content-type"] === undefined
      ) {
        req.headers["content-type"] = "application/json";
      }
    });

    api.addHook("onSend", async (req, reply, payload) => {
      const url = urls.get(req);
      if (url !== undefined) req.raw.url = url;
      if (reply.statusCode < 400 || typeof payload !== "string") return payload;
      return restErrorPayload(req, reply, payload) ?? payload;
    });

    await api.register(fastifyTRPCOpenApiPlugin, {
      basePath: REST_BASE_PATH,
      router: appRouter,
      createContext: ({ req, res }: { req: FastifyRequest; res: FastifyReply }) =>
        createRequestContext(deps, req, res),
      onError: logProcedureError,
    });
  });
}

/**
 * trpc-to-openapi's error body (`{ ...errorShape, message, code, issues }`) in the standard
 * shape; null when the payload is not one (edge errors already have the standard shape).
 */
function restErrorPayload(
  req: FastifyRequest,
  reply: FastifyReply,
  payload: string,
): string | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(payload);
  } catch {
    return null;
  }
  const bridge = readBridgeError(parsed);
  if (!bridge) return null;
  let message = bridge.message;
  // No procedure matched: the same answer as any unknown route.
  if (bridge.code === "NOT_FOUND" && bridge.procedure === undefined) {
    message = notFoundMessage(req.method);
  }
  // The bridge's own wording here is garbled ('Unsupported content-type "text/plain').
  if (bridge.code === "UNSUPPORTED_MEDIA_TYPE") message = "Content-Type must be application/json";
  reply.type("application/json; charset=utf-8");
  return JSON.stringify(
    errorBody(req.url, {
      status: reply.statusCode,
      code: bridge.code,
      message,
      requestId: req.id,
      ...(bridge.reason ? { reason: bridge.reason } : {}),
      ...(bridge.details ? { details: bridge.details } : {}),
    }),
  );
}
