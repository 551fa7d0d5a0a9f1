import { appRouter, type ApiDeps, type AppRouter } from "@lifeline/api";
import { fastifyTRPCPlugin, type FastifyTRPCPluginOptions } from "@trpc/server/adapters/fastify";
import type { FastifyInstance } from "fastify";

import { createRequestContext, logProcedureError } from "./request-context";

export async function registerTrpc(app: FastifyInstance, deps: ApiDeps): Promise<void> {
  await app.register(fastifyTRPCPlugin, {
    prefix: "/trpc",
    trpcOptions: {
      router: appRouter,
      createContext: ({ req, res }) => createRequestContext(deps, req, res),
      onError: logProcedureError,
    } satisfies FastifyTRPCPluginOptions<AppRouter>["trpcOptions"],
  });
}
