import {
  rateLimitHeaders,
  signedIn,
  tooManyRequests,
  type ApiDeps,
  type BudgetName,
  type Context,
} from "@lifeline/api";
import type { FastifyInstance, FastifyRequest } from "fastify";

import { createRequestContext } from "./request-context";

declare module "fastify" {
  interface FastifyContextConfig {
    /** The per-user budget this route spends instead of the global limit (see RateLimits). */
    rateBudget?: BudgetName;
  }
}

/** The API context of a signed-in request, as tRPC's protected procedures see it. */
export type SignedInContext = Context & { auth: NonNullable<Context["auth"]> };

const contexts = new WeakMap<FastifyRequest, SignedInContext>();

/** The context `registerAuthenticatedRoutes` made for this request. */
export function signedInContext(req: FastifyRequest): SignedInContext {
  const ctx = contexts.get(req);
  if (!ctx) throw new Error("signedInContext used outside registerAuthenticatedRoutes");
  return ctx;
}

/**
 * Plain Fastify routes (uploads, byte streams: tRPC and the REST bridge only speak JSON)
 * behind exactly the checks of tRPC's protected procedures: the same context, the same
 * bearer-token and live-session checks, the same refusals with their reasons, and the same
 * error shape (thrown AppErrors reach the app's error handler). Runs before the body is
 * read, so a refused upload costs nothing. A route may name a per-user rate budget in its
 * config; it then spends that instead of the global limit.
 */
export async function registerAuthenticatedRoutes(
  app: FastifyInstance,
  deps: ApiDeps,
  routes: (scope: FastifyInstance) => Promise<void> | void,
): Promise<void> {
  await app.register(async (scope) => {
    scope.addHook("onRequest", async (req, reply) => {
      const ctx = await createRequestContext(deps, req, reply);
      const auth = signedIn(ctx);
      const budget = req.routeOptions.config.rateBudget;
      if (budget) {
        const result = await deps.rateLimits.checkBudget(budget, auth.user.id);
        if (!result.degraded) reply.headers(rateLimitHeaders(result));
        if (!result.allowed) throw tooManyRequests(result.resetSeconds);
      }
      contexts.set(req, { ...ctx, auth });
    });
    await routes(scope);
  });
}
