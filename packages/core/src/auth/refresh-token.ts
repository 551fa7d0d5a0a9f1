import { createHash, randomBytes } from "node:crypto";

/** An opaque 256-bit refresh token, base64url (43 characters). */
export function generateRefreshToken(): string {
  return randomBytes(32).toString("base64url");
}

/** Refresh tokens are stored only as SHA-256: they are random, so no salt or slow hash is needed. */
export function hashRefreshToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}
