import { authenticate } from "@lifeline/core";
import type { ApiDeps } from "@lifeline/api";
import type { TestServer } from "@lifeline/server/testing";

import type { ThroughputTarget } from "../harness/autocannon-load";
import type { ServeContext } from "../harness/serving";
import { buildBareApp } from "../servers/bare-app";
import { buildApp } from "@lifeline/server/testing";
import {
  memoise,
  memoisedVerify,
  pgJoinLookup,
  prismaLookup,
  prismaRawJoinLookup,
  withSessionLookup,
} from "./dep-variants";
import { createRawPool } from "./raw-pg";
import { bearer, unverifiedSessionId } from "./token";

/**
 * BENCH_DIAGNOSE=1 only. Two ways of splitting auth.me's cost, all on the real app's own
 * dependencies (same signing key, same Prisma client, same database):
 *  - building blocks alone on a bare Fastify app: JWT verify, the Prisma lookup, the same
 *    data as one SQL join through raw pg, and authenticate() (JWT + Prisma) without tRPC;
 *  - the real app (buildApp, unchanged) on deps with one step replaced: cached, to see what
 *    the rest costs, or done another way, to see what that alternative would gain.
 * No product code changes; the replacements (dep-variants.ts) live only in the server child.
 */
export async function startDiagnosticServers(
  server: TestServer,
  serve: ServeContext,
): Promise<ThroughputTarget[]> {
  const { deps } = server;
  const pool = createRawPool(server.env.DATABASE_URL);
  serve.onClose(() => pool.end());
  const targets: ThroughputTarget[] = [];
  const diag = (name: string, url: string, note: string) => {
    targets.push({ name, url, auth: true, kind: "diagnostic", note });
  };

  const parts = buildBareApp();
  const sessionId = (header: string | undefined) => unverifiedSessionId(bearer(header));
  parts.get("/jwt", (req) => deps.accessTokens.verify(bearer(req.headers.authorization)));
  parts.get("/prisma", (req) => prismaLookup(deps.db)(sessionId(req.headers.authorization)));
  parts.get("/pg", (req) => pgJoinLookup(pool)(sessionId(req.headers.authorization)));
  parts.get("/authenticate", (req) => authenticate(deps, bearer(req.headers.authorization)));
  const partsUrl = await serve.listen(parts);
  diag("jwt verify only", `${partsUrl}/jwt`, "bare Fastify + accessTokens.verify (EdDSA), no DB");
  diag(
    "prisma lookup only",
    `${partsUrl}/prisma`,
    "bare Fastify + authenticate()'s findUnique, no JWT",
  );
  diag(
    "raw pg lookup only",
    `${partsUrl}/pg`,
    "bare Fastify + the same data as one SQL join via pg",
  );
  diag(
    "authenticate() only",
    `${partsUrl}/authenticate`,
    "bare Fastify + JWT + Prisma lookup, no tRPC",
  );

  const variant = async (name: string, note: string, changes: Partial<ApiDeps>) => {
    // No readiness checks: these copies are never probed, only loaded on /trpc/auth.me.
    const app = await buildApp({
      env: server.env,
      deps: { ...deps, ...changes },
      logger: deps.logger,
      readinessChecks: {},
    });
    diag(name, `${await serve.listen(app)}/trpc/auth.me`, note);
  };
  const cachedLookup = withSessionLookup(deps.db, memoise(prismaLookup(deps.db)));
  const noRateLimit = { ...deps.rateLimits, enabled: false };
  if (deps.rateLimits.enabled) {
    await variant("auth.me (no rate limit)", "real app; Redis rate limiter off", {
      rateLimits: noRateLimit,
    });
  }
  await variant("auth.me (jwt cached)", "real app; verify() memoised", {
    accessTokens: memoisedVerify(deps.accessTokens),
  });
  await variant("auth.me (session cached)", "real app; session lookup memoised", {
    db: cachedLookup,
  });
  await variant("auth.me (jwt+session cached)", "real app; verify() and lookup memoised", {
    accessTokens: memoisedVerify(deps.accessTokens),
    db: cachedLookup,
  });
  await variant("auth.me (tRPC only)", "real app; both memoised, limiter off: HTTP + tRPC", {
    accessTokens: memoisedVerify(deps.accessTokens),
    db: cachedLookup,
    rateLimits: noRateLimit,
  });
  await variant("auth.me (1 query, prisma)", "real app; lookup as one join via $queryRaw", {
    db: withSessionLookup(deps.db, prismaRawJoinLookup(deps.db)),
  });
  await variant("auth.me (1 query, pg)", "real app; lookup as one join via node-postgres", {
    db: withSessionLookup(deps.db, pgJoinLookup(pool)),
  });
  return targets;
}
