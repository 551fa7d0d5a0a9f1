/**
 * The user and session ids inside an access token, read WITHOUT checking the signature. Only
 * for the diagnostics, which look the session up while deliberately skipping JWT verification.
 */
export function unverifiedClaims(token: string): { userId: string; sessionId: string } {
  const payload = token.split(".")[1];
  if (!payload) throw new Error("not a JWT");
  const claims = JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as {
    sub?: unknown;
    sid?: unknown;
  };
  if (typeof claims.sub !== "string" || typeof claims.sid !== "string") {
    throw new Error("JWT lacks sub or sid");
  }
  return { userId: claims.sub, sessionId: claims.sid };
}

export function unverifiedSessionId(token: string): string {
  return unverifiedClaims(token).sessionId;
}

export function bearer(header: string | undefined): string {
  const match = /^Bearer\s+(\S+)$/i.exec(header ?? "");
  if (!match?.[1]) throw new Error("missing bearer token");
  return match[1];
}
