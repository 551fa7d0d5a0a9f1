import {
  AppError,
  authenticate,
  type AccessTokens,
  type AccountLocks,
  type AuthConfig,
  type MediaConfig,
  type Authenticated,
  type OAuthStateStore,
  type PasswordHasher,
  type ProviderRegistry,
  type TimelineCache,
  type TokenCipher,
} from "@lifeline/core";
import type { Db } from "@lifeline/db";
import type { Logger, RequestLogger } from "@lifeline/logger";
import type { Heartbeat, JobProducer } from "@lifeline/queue";
import type { BlobStorage } from "@lifeline/storage";

import { clientKey } from "./rate-limit/client-key";
import type { RateLimits } from "./rate-limit/rate-limits";

/** Long-lived things a process builds once and every request shares. */
export interface ApiDeps {
  db: Db;
  accessTokens: AccessTokens;
  /** bcrypt in a pool of worker threads: never on the event loop. */
  passwords: PasswordHasher;
  authConfig: AuthConfig;
  /** Upload limits (MEDIA_MAX_BYTES). */
  mediaConfig: MediaConfig;
  logger: Logger;
  /** Redis-backed limits and login lockout, shared by every API instance. */
  rateLimits: RateLimits;
  /** Enqueues work for the jobs app: the API never sends email or does heavy work itself. */
  jobs: JobProducer;
  /** Media bytes: content-addressed blobs on local disk or S3-compatible storage. */
  storage: BlobStorage;
  /** Cached timeline reads in Redis; every write that changes a timeline invalidates it. */
  timeline: TimelineCache;
  /** What the live jobs processes report about themselves (readHeartbeats on this deployment's Redis). */
  jobsHeartbeats: () => Promise<Heartbeat[]>;
  /** The six provider clients; those without credentials are reported unavailable. */
  providers: ProviderRegistry;
  /** Provider tokens at rest (TOKEN_ENCRYPTION_KEYS; rotation by key id). */
  tokenCipher: TokenCipher;
  /** The per-account lock around token refreshes, shared with the jobs app (same Redis). */
  accountLocks: AccountLocks;
  /** Account linking: OAuth states in Redis, and where the browser ends up afterwards. */
  linking: LinkingConfig;
  now?: () => Date;
}

export interface LinkingConfig {
  states: OAuthStateStore;
  /** FRONTEND_URL: the provider callback ends with a redirect here, carrying only the outcome. */
  frontendUrl: string;
  /** Origins a client may use as its own redirect URI (then it finishes with completeLink). */
  clientRedirectOrigins: string[];
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
  /**
   * What this HTTP request may spend. A transport passes a fresh one per request; without
   * one (scripts, tests calling procedures directly) nothing is bounded.
   */
  budget?: RequestBudget;
}

/**
 * What one HTTP request may spend, shared by every call of a tRPC batch (they share one
 * context). Password hashing is the expensive part: see middlewares/password-budget.ts.
 */
export interface RequestBudget {
  passwordCalls: number;
}

export interface Context {
  deps: ApiDeps;
  requestId: string;
  ip: string | null;
  /** Who the rate limits count: the IP, or its /64 for IPv6 (see clientKey). */
  client: string;
  userAgent: string | null;
  logger: RequestLogger;
  /** The signed-in caller, or null (then `authFailure` says why a token was refused). */
  auth: Authenticated | null;
  /** Why the bearer token was refused (always UNAUTHORIZED with a reason), if it was. */
  authFailure: AppError | null;
  /** A failure to check the token at all (e.g. the database is down): not the caller's fault. */
  authError: Error | null;
  budget: RequestBudget | null;
  setHeader: (name: string, value: string) => void;
}

/** The inner context: everything but the request, usable from tests and scripts. */
export function createInnerContext(
  deps: ApiDeps,
  info: Omit<RequestInfo, "authorization"> & {
    auth?: Authenticated | null;
    authFailure?: AppError | null;
    authError?: Error | null;
  },
): Context {
  return {
    deps,
    requestId: info.requestId,
    ip: info.ip,
    client: clientKey(info.ip),
    userAgent: info.userAgent,
    // Reuse the transport's request logger: every child logger costs a redaction pass.
    logger: info.logger ?? deps.logger.child({ requestId: info.requestId }),
    auth: info.auth ?? null,
    authFailure: info.authFailure ?? null,
    authError: info.authError ?? null,
    budget: info.budget ?? null,
    setHeader: info.setHeader ?? (() => undefined),
  };
}

function bearerToken(header: string | null): string | null {
  if (!header) return null;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1] ?? null;
}

const malformedHeader = () =>
  new AppError({
    code: "UNAUTHORIZED",
    reason: "token_invalid",
    message: "Authorization header must be 'Bearer <token>'",
  });

/**
 * The outer context: reads the bearer token. A bad token does not fail here (public
 * procedures ignore it); protectedProcedure turns `authFailure` into UNAUTHORIZED, and
 * `authError` (the token could not be checked) into whatever that failure means.
 */
export async function createContext(deps: ApiDeps, info: RequestInfo): Promise<Context> {
  const token = bearerToken(info.authorization);
  let auth: Authenticated | null = null;
  let authFailure: AppError | null = null;
  let authError: Error | null = null;
  if (token) {
    try {
      auth = await authenticate(deps, token);
    } catch (error) {
      if (error instanceof AppError && error.code === "UNAUTHORIZED") authFailure = error;
      else authError = error instanceof Error ? error : new Error(String(error));
    }
  } else if (info.authorization) {
    authFailure = malformedHeader();
  }
  return createInnerContext(deps, { ...info, auth, authFailure, authError });
}
