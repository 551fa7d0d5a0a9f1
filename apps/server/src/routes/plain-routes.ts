import type { ApiDeps, PlainRouteDoc } from "@lifeline/api";
import type { FastifyInstance } from "fastify";

import { accountLinkCallbackRoutes } from "./account-link-callback";
import { mediaContentRoutes } from "./media-content";
import { mediaUploadRoutes } from "./media-upload";

/**
 * Routes outside tRPC and the REST bridge (multipart uploads, byte streams with Range, the
 * OAuth callback): each module registers its routes inside the authenticated scope (or, in
 * PUBLIC_PLAIN_ROUTE_MODULES, outside it) (see
 * plugins/authenticated-routes.ts) and describes them for /openapi.json.
 */
export interface PlainRouteModule {
  docs: PlainRouteDoc[];
  register(scope: FastifyInstance, deps: ApiDeps): Promise<void> | void;
}

/** Every plain route module of the API. */
export const PLAIN_ROUTE_MODULES: PlainRouteModule[] = [mediaUploadRoutes, mediaContentRoutes];

/**
 * Plain routes without a bearer token (the provider's redirect back after linking: the
 * user comes from the OAuth state). Registered outside the authenticated scope; each
 * counts its callers per client IP itself, on top of the global limit.
 */
export const PUBLIC_PLAIN_ROUTE_MODULES: PlainRouteModule[] = [accountLinkCallbackRoutes];
