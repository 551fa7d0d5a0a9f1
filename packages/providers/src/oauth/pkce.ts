import { createHash, randomBytes } from "node:crypto";

export interface PkcePair {
  /** Keep server-side (with the state) until the callback; it is a secret. */
  verifier: string;
  /** Goes into the authorize URL. */
  challenge: string;
  method: "S256";
}

/** The S256 challenge of a verifier: base64url(SHA-256(verifier)), as RFC 7636 defines it. */
export function pkceChallenge(verifier: string): string {
  return createHash("sha256").update(verifier).digest("base64url");
}

/** A fresh verifier (43 characters, 256 bits) and its challenge. */
export function createPkcePair(): PkcePair {
  const verifier = randomBytes(32).toString("base64url");
  return { verifier, challenge: pkceChallenge(verifier), method: "S256" };
}

/** A random `state` for the authorize URL (compare it on the callback). */
export function createOAuthState(): string {
  return randomBytes(24).toString("base64url");
}
