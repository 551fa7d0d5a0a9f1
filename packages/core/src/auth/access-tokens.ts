import {
  createLocalJWKSet,
  errors as joseErrors,
  jwtVerify,
  SignJWT,
  type JSONWebKeySet,
} from "jose";

import { AppError } from "../errors/app-error";
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
  /** Throws AppError UNAUTHORIZED for anything but a valid, current token of ours. */
  verify(token: string): Promise<AccessTokenClaims>;
  /** The public keys, for /.well-known/jwks.json. */
  jwks(): JSONWebKeySet;
}

/** Short-lived JWTs: EdDSA only, `kid` in the header, iss/aud/exp always checked. */
export function createAccessTokens(keys: SigningKey[], config: AccessTokenConfig): AccessTokens {
  const [active] = keys;
  if (!active) throw new Error("at least one signing key is required");
  const jwks: JSONWebKeySet = { keys: keys.map((k) => k.publicJwk) };
  const keySet = createLocalJWKSet(jwks);
  const verified = new VerifiedTokenCache();

  return {
    async sign({ userId, sessionId }) {
      const token = await new SignJWT({ sid: sessionId })
        .setProtectedHeader({ alg: ACCESS_TOKEN_ALG, kid: active.kid, typ: "JWT" })
        .setSubject(userId)
        .setIssuer(config.issuer)
        .setAudience(config.audience)
        .setIssuedAt()
        .setExpirationTime(`${config.ttlSeconds}s`)
        .sign(active.privateKey);
      return { token, expiresIn: config.ttlSeconds };
    },

    async verify(token) {
      const known = verified.get(token, Date.now());
      if (known) return known;
      try {
        const { payload } = await jwtVerify(token, keySet, {
          algorithms: [ACCESS_TOKEN_ALG],
          issuer: config.issuer,
          audience: config.audience,
          requiredClaims: ["sub", "sid", "exp", "iat"],
          typ: "JWT",
        });
        if (typeof payload.sub !== "string" || typeof payload.sid !== "string") {
          throw new AppError("UNAUTHORIZED", "Invalid access token");
        }
        const claims = { userId: payload.sub, sessionId: payload.sid };
        // `exp` is required above, so it is a number here.
        verified.set(token, claims, (payload.exp ?? 0) * 1000);
        return claims;
      } catch (error) {
        if (error instanceof AppError) throw error;
        const expired = error instanceof joseErrors.JWTExpired;
        throw new AppError(
          "UNAUTHORIZED",
          expired ? "Access token expired" : "Invalid access token",
          undefined,
          {
            cause: error,
          },
        );
      }
    },

    jwks: () => jwks,
  };
}
