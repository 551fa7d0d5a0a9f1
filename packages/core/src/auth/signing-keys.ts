import { randomUUID, type webcrypto } from "node:crypto";

import { exportJWK, generateKeyPair, importJWK, type JWK } from "jose";

export const ACCESS_TOKEN_ALG = "EdDSA";

export interface SigningKey {
  kid: string;
  privateKey: webcrypto.CryptoKey;
  /** What /.well-known/jwks.json publishes: public part only. */
  publicJwk: JWK;
}

function publicPart(jwk: JWK, kid: string): JWK {
  return { kty: jwk.kty, crv: jwk.crv, x: jwk.x, kid, alg: ACCESS_TOKEN_ALG, use: "sig" };
}

/** Makes a new Ed25519 key; `pnpm keys:generate` prints one for JWT_SIGNING_KEYS. */
export async function generateSigningJwk(kid: string = randomUUID()): Promise<JWK> {
  const { privateKey } = await generateKeyPair(ACCESS_TOKEN_ALG, {
    crv: "Ed25519",
    extractable: true,
  });
  return { ...(await exportJWK(privateKey)), kid, alg: ACCESS_TOKEN_ALG, use: "sig" };
}

/**
 * Reads JWT_SIGNING_KEYS (a JSON array of private Ed25519 JWKs with distinct `kid`s; the first
 * signs). Without it, one ephemeral key is made: fine for development and tests, and the
 * env schema refuses that in production.
 */
export async function loadSigningKeys(json: string | undefined): Promise<SigningKey[]> {
  const jwks: unknown = json ? JSON.parse(json) : [await generateSigningJwk()];
  if (!Array.isArray(jwks) || jwks.length === 0) {
    throw new Error("JWT_SIGNING_KEYS must be a non-empty JSON array of private JWKs");
  }
  const seen = new Set<string>();
  return Promise.all(
    jwks.map(async (raw: unknown, index) => {
      const jwk = raw as JWK;
      if (jwk.kty !== "OKP" || jwk.crv !== "Ed25519" || !jwk.d || !jwk.x || !jwk.kid) {
        throw new Error(`JWT_SIGNING_KEYS[${index}] must be an Ed25519 private JWK with a kid`);
      }
      if (seen.has(jwk.kid)) throw new Error(`JWT_SIGNING_KEYS has the kid "${jwk.kid}" twice`);
      seen.add(jwk.kid);
      const privateKey = (await importJWK(
        { ...jwk, alg: ACCESS_TOKEN_ALG },
        ACCESS_TOKEN_ALG,
      )) as webcrypto.CryptoKey;
      return { kid: jwk.kid, privateKey, publicJwk: publicPart(jwk, jwk.kid) };
    }),
  );
}
