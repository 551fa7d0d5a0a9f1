import { createHash } from "node:crypto";

import { isProviderId, type ProviderId } from "@lifeline/providers";

/**
 * What startLink remembers about one authorize request until its callback. The PKCE
 * verifier is a secret: it lives only here (Redis), never in a response or a log.
 */
export interface PendingLink {
  userId: string;
  provider: ProviderId;
  /** The redirect URI the authorize URL carried; the code exchange must send the same. */
  redirectUri: string;
  codeVerifier: string | null;
  /** ISO time of startLink, for the audit trail. */
  startedAt: string;
}

/** Why a state was not honoured, as far as Redis can tell. */
export type StateLookupFailure = "state_unknown" | "state_expired" | "state_reused";

export type StateLookup =
  { ok: true; link: PendingLink } | { ok: false; reason: StateLookupFailure };

/** The Redis commands the store uses (an ioredis client satisfies it). */
export interface OAuthStateRedis {
  set(key: string, value: string, mode: "EX", seconds: number): Promise<unknown>;
  eval(script: string, numKeys: number, ...keys: string[]): Promise<unknown>;
}

export interface OAuthStateStoreOptions {
  redis: OAuthStateRedis;
  /** REDIS_KEY_PREFIX: keys are `<prefix>oauth:state:<sha256>` and `<prefix>oauth:issued:<sha256>`. */
  keyPrefix: string;
  /** How long a started link waits for its callback (default 10 minutes). */
  ttlSeconds?: number;
  /**
   * How long a spent or expired state is still recognised as one we issued (default 24 h),
   * so a refusal can say "expired" or "already used" rather than "unknown".
   */
  ledgerTtlSeconds?: number;
}

/**
 * OAuth `state` values in Redis, shared by every API instance. A state is taken with GETDEL,
 * so it works once however many callbacks race for it. Keys hold the SHA-256 of the state,
 * not the state: a Redis dump does not hand out live states.
 *
 * Beside each state a small ledger entry (`issued`, then `used`) outlives it, and is updated
 * in the same atomic step as the GETDEL, so a refusal can tell a reused state from an expired one
 * and from one that was never issued. The ledger holds no user data.
 */
export interface OAuthStateStore {
  readonly ttlSeconds: number;
  save(state: string, link: PendingLink): Promise<void>;
  /** Reads and deletes in one step: the first caller gets the link, every later one a reason. */
  take(state: string): Promise<StateLookup>;
}

export const OAUTH_STATE_TTL_SECONDS = 600;
const LEDGER_TTL_SECONDS = 24 * 3600;

const digest = (state: string) => createHash("sha256").update(state).digest("hex");

export function createOAuthStateStore(options: OAuthStateStoreOptions): OAuthStateStore {
  const ttlSeconds = options.ttlSeconds ?? OAUTH_STATE_TTL_SECONDS;
  const ledgerTtlSeconds = Math.max(options.ledgerTtlSeconds ?? LEDGER_TTL_SECONDS, ttlSeconds);
  const stateKey = (state: string) => `${options.keyPrefix}oauth:state:${digest(state)}`;
  const ledgerKey = (state: string) => `${options.keyPrefix}oauth:issued:${digest(state)}`;

  return {
    ttlSeconds,

    async save(state, link) {
      // The ledger first: a state that exists always has its ledger entry.
      await options.redis.set(ledgerKey(state), "issued", "EX", ledgerTtlSeconds);
      await options.redis.set(stateKey(state), JSON.stringify(link), "EX", ttlSeconds);
    },

    async take(state) {
      const result = await options.redis.eval(TAKE_SCRIPT, 2, stateKey(state), ledgerKey(state));
      const [found, value] = Array.isArray(result) ? (result as unknown[]) : [];
      if (found === 1 && typeof value === "string") {
        const link = parsePendingLink(value);
        if (link) return { ok: true, link };
        return { ok: false, reason: "state_unknown" };
      }
      if (value === "used") return { ok: false, reason: "state_reused" };
      if (value === "issued") return { ok: false, reason: "state_expired" };
      return { ok: false, reason: "state_unknown" };
    },
  };
}

/**
 * GETDEL the state and, only when it was there, mark its ledger entry used, in one atomic
 * step: of two callbacks racing with one state exactly one gets it, and the other hears
 * "reused". A state that is gone but was never used is "expired".
 */
const TAKE_SCRIPT = `
local value = redis.call('GETDEL', KEYS[1])
if value then
  redis.call('SET', KEYS[2], 'used', 'KEEPTTL', 'XX')
  return {1, value}
end
return {0, redis.call('GET', KEYS[2])}
`;

function parsePendingLink(stored: string): PendingLink | null {
  try {
    const value = JSON.parse(stored) as Partial<PendingLink> | null;
    if (
      typeof value?.userId === "string" &&
      typeof value.provider === "string" &&
      isProviderId(value.provider) &&
      typeof value.redirectUri === "string" &&
      typeof value.startedAt === "string"
    ) {
      return {
        userId: value.userId,
        provider: value.provider,
        redirectUri: value.redirectUri,
        codeVerifier: typeof value.codeVerifier === "string" ? value.codeVerifier : null,
        startedAt: value.startedAt,
      };
    }
  } catch {
    // Not ours (or from an older format): treated as unknown below.
  }
  return null;
}
