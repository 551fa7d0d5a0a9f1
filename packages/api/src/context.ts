import {
  authenticate,
  type AccessTokens,
  type AuthConfig,
  type Authenticated,
} from "@lifeline/core";
import type { Db } from "@lifeline/db";
import type { Logger, RequestLogger } from "@lifeline/logger";

import type { RateLimits } from "./rate-limit/rate-limits";

/** Long-lived things a process builds once and every request shares. */
export interface ApiDeps {
  db: Db;
  accessTokens: AccessTokens;
  authConfig: AuthConfig;
  logger: Logger;
  /** Redis-backed limits and login lockout, shared by every API instance. */
  rateLimits: RateLimits;
  now?: () => Date;
}

/** What a transport knows about the request, without tying the API to Fastify. */
export interface RequestInfo {
  requestId: string;
  ip: string | null;
  userAgent: string | null;
  /** The raw Authorization header, if any. */
  authorization: string | null;
  /** The transport's request-scoped logger (already bound to the request id), if it has one. */
  logger?: RequestLogger;
  /** Lets a procedure add a response header (e.g. Retry-After); no-op where there is none. */
  setHeader?: (name: string, value: string) => void;
}

export interface Context {
  deps: ApiDeps;
  requestId: string;
  ip: string | null;
  userAgent: string | null;
  logger: RequestLogger;
  /** The signed-in caller, or null (then `authFailure` says why a token was refused). */
  auth: Authenticated | null;
  authFailure: string | null;
  setHeader: (name: string, value: string) => void;
}

/** The inner context: everything but the request, usable from tests and scripts. */
export function createInnerContext(
  deps: ApiDeps,
  info: Omit<RequestInfo, "authorization"> & {
    auth?: Authenticated | null;
    authFailure?: string | null;
  },
): Context {
  return {
    deps,
    requestId: info.requestId,
    ip: info.ip,
    userAgent: info.userAgent,
    // Reuse the transport's request logger: every child logger costs a redaction pass.
    logger: info.logger ?? deps.logger.child({ requestId: info.requestId }),
    auth: info.auth ?? null,
    authFailure: info.authFailure ?? null,
    setHeader: info.setHeader ?? (() => undefined),
  };
}

function bearerToken(header: string | null): string | null {
  if (!header) return null;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1] ?? null;
}

/**
 * The outer context: reads the bearer token. A bad token does not fail here (public
 * procedures ignore it); protectedProcedure turns `authFailure` into UNAUTHORIZED.
 */
export async function createContext(deps: ApiDeps, info: RequestInfo): Promise<Context> {
  const token = bearerToken(info.authorization);
  let auth: Authenticated | null = null;
  let authFailure: string | null = null;
  if (token) {
    try {
      auth = await authenticate(deps, token);
    } catch (error) {
      authFailure = error instanceof Error ? error.message : "Invalid access token";
    }
  } else if (info.authorization) {
    authFailure = "Authorization header must be 'Bearer <token>'";
  }
  return createInnerContext(deps, { ...info, auth, authFailure });
}
