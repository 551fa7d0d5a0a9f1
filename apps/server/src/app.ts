import type { ApiDeps } from "@lifeline/api";
import type { ServerEnv } from "@lifeline/env";
import type { Logger } from "@lifeline/logger";
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from "fastify";

import { registerTrpc } from "./plugins/trpc";
import { requestIdFor } from "./request-id";
import { registerHealthRoutes } from "./routes/health";
import { registerJwksRoute } from "./routes/jwks";

export interface AppOptions {
  env: Pick<ServerEnv, "TRUST_PROXY" | "BODY_LIMIT_BYTES">;
  deps: ApiDeps;
  logger: Logger;
}

/** Builds the HTTP app without listening, so tests drive it with inject() or a real port. */
export async function buildApp({ env, deps, logger }: AppOptions): Promise<FastifyInstance> {
  // Widened on purpose: typed as pino's Logger, Fastify would fix every plugin to it.
  const loggerInstance: FastifyBaseLogger = logger;
  const app = Fastify({
    loggerInstance,
    genReqId: requestIdFor,
    trustProxy: env.TRUST_PROXY,
    bodyLimit: env.BODY_LIMIT_BYTES,
    // tRPC batches put every procedure name in the path.
    routerOptions: { maxParamLength: 5000 },
  });
  app.addHook("onRequest", async (req, reply) => {
    reply.header("x-request-id", req.id);
  });
  registerHealthRoutes(app);
  registerJwksRoute(app, deps.accessTokens);
  await registerTrpc(app, deps);
  return app;
}
