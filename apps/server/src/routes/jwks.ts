import type { AccessTokens } from "@lifeline/core";
import type { FastifyInstance } from "fastify";

/** Public keys for access tokens, so other services verify them without asking us. */
export function registerJwksRoute(app: FastifyInstance, accessTokens: AccessTokens): void {
  app.get("/.well-known/jwks.json", async (_req, reply) => {
    reply.header("cache-control", "public, max-age=300");
    return accessTokens.jwks();
  });
}
