import { getImportRun, listImportRuns, startImport } from "@lifeline/core";

import { protectedProcedure, router } from "../../trpc";
import {
  ZGetImportRequestSchema,
  ZGetImportResponseSchema,
  ZListImportsRequestSchema,
  ZListImportsResponseSchema,
  ZStartImportRequestSchema,
  ZStartImportResponseSchema,
} from "./schemas";

const TAGS = ["imports"];

const ERRORS = {
  400: "Invalid input; `details` names each field",
  401: "Missing, invalid or expired access token",
  503: "Postgres or Redis is unavailable; retry shortly",
};

/**
 * Imports of linked accounts: start one (the jobs app does the work), and follow it. Every
 * query is scoped to the caller: another user's account or run is NOT_FOUND, exactly like an
 * id that never existed.
 */
export const importsRouter = router({
  start: protectedProcedure
    .meta({
      openapi: {
        method: "POST",
        path: "/accounts/{id}/import",
        protect: true,
        errorResponses: {
          ...ERRORS,
          404: "No such linked account: unknown, unlinked, or not yours (the same answer)",
          409: "The account must be linked again first (reason needs_relink)",
        },
        tags: TAGS,
        summary: "Import a linked account's media and posts (answers at once with the run)",
      },
    })
    .input(ZStartImportRequestSchema)
    .output(ZStartImportResponseSchema)
    .mutation(async ({ ctx, input }) => {
      const result = await startImport(
        { db: ctx.deps.db, jobs: ctx.deps.jobs, ...(ctx.deps.now ? { now: ctx.deps.now } : {}) },
        ctx.auth.user.id,
        input.id,
      );
      ctx.logger.info(
        { runId: result.run.id, linkedAccountId: input.id, started: result.started },
        result.started ? "import started" : "import already running",
      );
      return result;
    }),

  get: protectedProcedure
    .meta({
      openapi: {
        method: "GET",
        path: "/imports/{id}",
        protect: true,
        errorResponses: {
          ...ERRORS,
          404: "No such import: unknown, or not yours (the same answer)",
        },
        tags: TAGS,
        summary: "One import: status, counts, progress, timings and the last errors",
      },
    })
    .input(ZGetImportRequestSchema)
    .output(ZGetImportResponseSchema)
    .query(async ({ ctx, input }) => ({
      run: await getImportRun(ctx.deps.db, ctx.auth.user.id, input.id, ctx.deps.now?.()),
    })),

  list: protectedProcedure
    .meta({
      openapi: {
        method: "GET",
        path: "/imports",
        protect: true,
        errorResponses: ERRORS,
        tags: TAGS,
        summary: "Your imports, newest first (cursor pages; each with its last three errors)",
      },
    })
    .input(ZListImportsRequestSchema)
    .output(ZListImportsResponseSchema)
    .query(({ ctx, input }) =>
      listImportRuns(
        ctx.deps.db,
        ctx.auth.user.id,
        { linkedAccountId: input.accountId, cursor: input.cursor, limit: input.limit },
        ctx.deps.now?.(),
      ),
    ),
});
