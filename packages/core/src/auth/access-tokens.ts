import {
  createLocalJWKSet,
  decodeProtectedHeader,
  errors as joseErrors,
  jwtVerify,
  SignJWT,
  type JSONWebKeySet,
  type JWTPayload,
} from "jose";

import { AppError } from "../errors/app-error";
import { isCanonicalCompactJwt } from "./jwt-encoding";
import { ACCESS_TOKEN_ALG, type SigningKey } from "./signing-keys";
import { VerifiedTokenCache } from "./verified-token-cache";

export interface AccessTokenConfig {
  issuer: string;
  audience: string;
  ttlSeconds: number;
}

export interface AccessTokenClaims {
  userId: string;
  sessionId: string;
}

export interface AccessTokens {
  sign(claims: AccessTokenClaims): Promise<{ token: string; expiresIn: number }>;
  /**
   * Throws AppError UNAUTHORIZED (reason token_expired or token_invalid) for anything but a
   * valid, current token of ours.
   */
  verify(token: string): Promise<AccessTokenClaims>;
  /** The public keys, for /.well-known/jwks.json. */
  jwks(): JSONWebKeySet;
}

/** How far in the future an `iat` may be: clocks of two of our own hosts disagree a little. */
export const ISSUED_AT_SKEW_SECONDS = 30;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const invalid = (cause?: unknown) =>
  new AppError({
    code: "UNAUTHORIZED",
    reason: "token_invalid",
    message: "Invalid access token",
    cause,
  });

const expired = (cause: unknown) =>
  new AppError({
    code: "UNAUTHORIZED",
    reason: "token_expired",
    message: "Access token expired",
    cause,
  });

/**
 * Short-lived JWTs, checked strictly: EdDSA only, a `kid` naming one of our keys, canonical
 * base64url, iss/aud/sub/sid/iat/exp all present, `iat` not in the future (beyond a small
 * skew) and a lifetime no longer than we issue. A token that passes is exactly one we could
 * have signed. `now` is the clock (tests move it instead of sleeping).
 */
export function createAccessTokens(
  keys: SigningKey[],
  config: AccessTokenConfig,
  now: () => Date = () => new Date(),
): AccessTokens {
  const [active] = keys;
  if (!active) throw new Error("at least one signing key is required");
  const jwks: JSONWebKeySet = { keys: keys.map((k) => k.publicJwk) };
  const keySet = createLocalJWKSet(jwks);
  const verified = new VerifiedTokenCache();

  function checkLifetime(payload: JWTPayload, nowSeconds: number): void {
    // Both are required claims, so jose has already checked they are numbers.
    const iat = payload.iat ?? 0;
    const exp = payload.exp ?? 0;
    if (iat > nowSeconds + ISSUED_AT_SKEW_SECONDS) throw invalid("iat is in the future");
    if (exp - iat > config.ttlSeconds) throw invalid("lifetime longer than ACCESS_TOKEN_TTL");
  }

  async function verifyFully(
    token: string,
    at: Date,
  ): Promise<{ claims: AccessTokenClaims; expiresAtMs: number }> {
    if (!isCanonicalCompactJwt(token)) throw invalid("not canonical base64url");
    // jose would fall back to the only key of a one-key set when `kid` is missing.
    if (!decodeProtectedHeader(token).kid) throw invalid("no kid");
    const { payload } = await jwtVerify(token, keySet, {
      algorithms: [ACCESS_TOKEN_ALG],
      issuer: config.issuer,
      audience: config.audience,
      requiredClaims: ["sub", "sid", "exp", "iat"],
      typ: "JWT",
      currentDate: at,
    });
    checkLifetime(payload, Math.floor(at.getTime() / 1000));
    const { sub, sid } = payload;
    if (typeof sub !== "string" || typeof sid !== "string" || !UUID.test(sid)) {
      throw invalid("sub or sid malformed");
    }
    return {
      claims: { userId: sub, sessionId: sid.toLowerCase() },
      expiresAtMs: (payload.exp ?? 0) * 1000,
    };
  }

  return {
    async sign({ userId, sessionId }) {
      const issuedAt = Math.floor(now().getTime() / 1000);
      const token = await new SignJWT({ sid: sessionId })
        .setProtectedHeader({ alg: ACCESS_TOKEN_ALG, kid: active.kid, typ: "JWT" })
        .setSubject(userId)
        .setIssuer(config.issuer)
        .setAudience(config.audience)
        .setIssuedAt(issuedAt)
        .setExpirationTime(issuedAt + config.ttlSeconds)
        .sign(active.privateKey);
      return { token, expiresIn: config.ttlSeconds };
    },

    async verify(token) {
      const at = now();
      const known = verified.get(token, at.getTime());
      if (known) return known;
      try {
        const { claims, expiresAtMs } = await verifyFully(token, at);
        verified.set(token, claims, expiresAtMs);
        return claims;
      } catch (error) {
        if (error instanceof AppError) throw error;
        if (error instanceof joseErrors.JWTExpired) throw expired(error);
        throw invalid(error);
      }
    },

    jwks: () => jwks,
  };
}
