import type { ApiDeps, PlainRouteDoc } from "@lifeline/api";
import type { FastifyInstance } from "fastify";

import { mediaContentRoutes } from "./media-content";
import { mediaUploadRoutes } from "./media-upload";

/**
 * Routes outside tRPC and the REST bridge (multipart uploads, byte streams with Range):
 * each module registers its routes inside the authenticated scope (see
 * plugins/authenticated-routes.ts) and describes them for /openapi.json.
 */
export interface PlainRouteModule {
  docs: PlainRouteDoc[];
  register(scope: FastifyInstance, deps: ApiDeps): Promise<void> | void;
}

/** Every plain route module of the API. */
export const PLAIN_ROUTE_MODULES: PlainRouteModule[] = [mediaUploadRoutes, mediaContentRoutes];
