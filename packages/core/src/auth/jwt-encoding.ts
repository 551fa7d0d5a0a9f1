/** The three parts of a compact JWS, each canonical unpadded base64url. */
const BASE64URL = /^[A-Za-z0-9_-]+$/;

/**
 * True when every segment of a compact JWT is canonical base64url: no padding, no other
 * alphabet, and no stray bits in the last character. Decoders forgive all three (so
 * `sig==` or a flipped trailing bit still verifies), which would let one token be written
 * many ways; we accept exactly the one way we write it.
 */
export function isCanonicalCompactJwt(token: string): boolean {
  const parts = token.split(".");
  if (parts.length !== 3) return false;
  return parts.every(
    (part) => BASE64URL.test(part) && Buffer.from(part, "base64url").toString("base64url") === part,
  );
}
