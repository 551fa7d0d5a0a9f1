import { createHash, createHmac, randomBytes } from "node:crypto";

/** An opaque 256-bit refresh token, base64url (43 characters). */
export function generateRefreshToken(): string {
  return randomBytes(32).toString("base64url");
}

/** Refresh tokens are stored only as SHA-256: they are random, so no salt or slow hash is needed. */
export function hashRefreshToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

/**
 * The token that replaces `presented` when it is rotated: an HMAC of it under a server
 * secret, as unguessable as a random one to anyone without the secret. Being derived, the
 * same successor can be handed out again to a retry of the same refresh without storing
 * it anywhere (only its hash is stored, as for every token).
 */
export function successorOf(presented: string, secret: Buffer): string {
  // "refresh:" keeps these apart from anything else derived from the same secret.
  return createHmac("sha256", secret).update(`refresh:${presented}`).digest("base64url");
}
