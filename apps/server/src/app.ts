import type { ApiDeps } from "@lifeline/api";
import type { ServerEnv } from "@lifeline/env";
import type { Logger } from "@lifeline/logger";
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from "fastify";

import { registerErrorHandlers } from "./http-errors/register-error-handlers";
import { registerApiDocs } from "./plugins/api-docs";
import { registerAuthenticatedRoutes } from "./plugins/authenticated-routes";
import { registerGlobalRateLimit } from "./plugins/global-rate-limit";
import { registerJsonDepthLimit } from "./plugins/json-depth";
import { registerRequestLog } from "./plugins/request-log";
import { clientErrorHandler, registerUrlLengthLimit } from "./plugins/request-limits";
import { registerRest } from "./plugins/rest";
import { registerSecurity } from "./plugins/security";
import { registerTrpc } from "./plugins/trpc";
import { registerTrpcBatchLimit } from "./plugins/trpc-batch-limit";
import { requestIdFor } from "./request-id";
import { registerHealthRoutes, type ReadinessCheck } from "./routes/health";
import { registerJwksRoute } from "./routes/jwks";
import { PLAIN_ROUTE_MODULES, PUBLIC_PLAIN_ROUTE_MODULES } from "./routes/plain-routes";

export interface AppOptions {
  env: Pick<ServerEnv, "TRUST_PROXY" | "BODY_LIMIT_BYTES" | "CORS_ORIGINS" | "TRPC_MAX_BATCH_SIZE">;
  deps: ApiDeps;
  logger: Logger;
  /** Dependencies /readyz probes, by name. */
  readinessChecks: Record<string, ReadinessCheck>;
}

/** Builds the HTTP app without listening, so tests drive it with inject() or a real port. */
export async function buildApp({
  env,
  deps,
  logger,
  readinessChecks,
}: AppOptions): Promise<FastifyInstance> {
  // Widened on purpose: typed as pino's Logger, Fastify would fix every plugin to it.
  const loggerInstance: FastifyBaseLogger = logger;
  const app = Fastify({
    loggerInstance,
    // Fastify's two lines per request give way to our one (plugins/request-log.ts).
    logController: new LogController({
      disableRequestLogging: true,
      requestIdLogLabel: "requestId",
    }),
    genReqId: requestIdFor,
    trustProxy: env.TRUST_PROXY,
    bodyLimit: env.BODY_LIMIT_BYTES,
    requestTimeout: 30_000,
    clientErrorHandler,
    // tRPC batches put every procedure name in the path.
    routerOptions: { maxParamLength: 5000 },
  });
  app.addHook("onRequest", async (req, reply) => {
    reply.header("x-request-id", req.id);
  });
  registerRequestLog(app);
  registerErrorHandlers(app);
  registerUrlLengthLimit(app);
  registerJsonDepthLimit(app);
  await registerSecurity(app, { corsOrigins: env.CORS_ORIGINS });
  // Before the global limit: a refused batch costs nothing, an accepted one counts each call.
  registerTrpcBatchLimit(app, env.TRPC_MAX_BATCH_SIZE);
  registerGlobalRateLimit(app, deps.rateLimits);

  registerHealthRoutes(app, readinessChecks);
  registerJwksRoute(app, deps.accessTokens);
  await registerTrpc(app, deps);
  await registerRest(app, deps);
  await registerAuthenticatedRoutes(app, deps, async (scope) => {
    for (const module of PLAIN_ROUTE_MODULES) await module.register(scope, deps);
  });
  for (const module of PUBLIC_PLAIN_ROUTE_MODULES) await module.register(app, deps);
  await registerApiDocs(
    app,
    [...PLAIN_ROUTE_MODULES, ...PUBLIC_PLAIN_ROUTE_MODULES].flatMap((module) => module.docs),
  );
  return app;
}
