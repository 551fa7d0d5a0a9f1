import type { FastifyInstance } from "fastify";

/** Liveness: the process is up and its event loop turns. Touches no dependency. */
export function registerHealthRoutes(app: FastifyInstance): void {
  app.get("/healthz", async () => ({ status: "ok" }));
}
