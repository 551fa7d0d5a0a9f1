import Fastify, { type FastifyInstance } from "fastify";

/**
 * The baseline: Fastify 5 with defaults, no logger, no hooks, one JSON route. Everything the
 * real app's routes cost beyond this is what the ratios measure.
 */
export function buildBareApp(): FastifyInstance {
  const app = Fastify({ logger: false });
  app.get("/bare", async () => ({ status: "ok" }));
  return app;
}
