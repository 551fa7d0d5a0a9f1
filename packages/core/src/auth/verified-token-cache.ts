import type { AccessTokenClaims } from "./access-tokens";

interface Entry {
  claims: AccessTokenClaims;
  expiresAtMs: number;
}

/**
 * Remembers tokens whose signature and claims were already checked, until they expire.
 * An Ed25519 verify costs more than the rest of a request; a client sends the same token
 * for its whole 15 minutes. Safe because a token string cannot change: the same string
 * verified once stays valid until `exp`, and revocation is the session check's job, which
 * still runs on every request. Bounded: the oldest entries go first.
 */
export class VerifiedTokenCache {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly maxEntries = 10_000) {}

  get(token: string, nowMs: number): AccessTokenClaims | undefined {
    const entry = this.entries.get(token);
    if (!entry) return undefined;
    if (entry.expiresAtMs <= nowMs) {
      this.entries.delete(token);
      return undefined;
    }
    return entry.claims;
  }

  set(token: string, claims: AccessTokenClaims, expiresAtMs: number): void {
    if (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
    this.entries.set(token, { claims, expiresAtMs });
  }

  get size(): number {
    return this.entries.size;
  }
}
