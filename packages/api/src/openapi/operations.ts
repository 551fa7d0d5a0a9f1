import type { AnyProcedure, AnyRouter } from "@trpc/server";
import type { OpenApiMeta, OpenApiMethod } from "trpc-to-openapi";

/** A procedure as the REST bridge sees it. */
export interface OpenApiOperation {
  /** The tRPC path, e.g. "auth.login". */
  procedure: string;
  method: OpenApiMethod;
  /** The REST path below the base URL, e.g. "/auth/sessions/{id}". */
  path: string;
  /** Needs a bearer token. Opt-in: a procedure is documented as public unless it says `protect: true`. */
  protect: boolean;
  meta: NonNullable<OpenApiMeta["openapi"]>;
}

/**
 * Every procedure of a router (by its dotted path) and its OpenAPI route, `null` when it
 * has none. tRPC keeps `_def.procedures` flat at runtime, whatever its type says.
 */
export function listProcedures(
  router: AnyRouter,
): { procedure: string; openapi: OpenApiOperation | null; definition: AnyProcedure }[] {
  const procedures = router._def.procedures as Record<string, AnyProcedure>;
  return Object.entries(procedures).map(([procedure, definition]) => {
    const meta = (definition._def.meta as OpenApiMeta | undefined)?.openapi;
    const openapi =
      meta && meta.enabled !== false
        ? {
            procedure,
            method: meta.method,
            path: `/${meta.path.replace(/^\/|\/$/g, "")}`,
            protect: meta.protect === true,
            meta,
          }
        : null;
    return { procedure, openapi, definition };
  });
}
