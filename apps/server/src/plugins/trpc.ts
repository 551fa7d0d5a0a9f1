import { appRouter, createContext, type ApiDeps, type AppRouter } from "@lifeline/api";
import { fastifyTRPCPlugin, type FastifyTRPCPluginOptions } from "@trpc/server/adapters/fastify";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";

/** What the API needs to know about a Fastify request; shared by /trpc and the REST bridge. */
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

export async function registerTrpc(app: FastifyInstance, deps: ApiDeps): Promise<void> {
  await app.register(fastifyTRPCPlugin, {
    prefix: "/trpc",
    trpcOptions: {
      router: appRouter,
      createContext: async ({ req, res }) => {
        const ctx = await createContext(deps, requestInfo(req, res));
        req.userId = ctx.auth?.user.id ?? null;
        return ctx;
      },
      onError: ({ error, path, req }) => {
        // Expected errors (4xx) are the caller's; only 5xx are ours to look at.
        if (error.code === "INTERNAL_SERVER_ERROR") {
          req.log.error({ err: error.cause ?? error, path }, "procedure failed");
        }
      },
    } satisfies FastifyTRPCPluginOptions<AppRouter>["trpcOptions"],
  });
}
