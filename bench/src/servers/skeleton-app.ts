import type { ApiDeps } from "@lifeline/api";
import Fastify, { type FastifyInstance } from "fastify";

import { registerTrpc } from "@lifeline/server/testing";

/**
 * auth.me as the walking skeleton served it: the same deps and tRPC plugin, none of the
 * edge (rate limits, CORS, helmet, compression, request log, error handlers). The real
 * app's auth.me against this one is what the edge costs.
 */
export async function buildSkeletonApp(deps: ApiDeps): Promise<FastifyInstance> {
  const app = Fastify({ logger: false, routerOptions: { maxParamLength: 5000 } });
  await registerTrpc(app, deps);
  return app;
}
