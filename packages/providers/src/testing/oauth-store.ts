import { createHash, randomBytes } from "node:crypto";

import type { Clock } from "./clock";

export interface Grant {
  id: string;
  accountId: string;
  clientId: string;
  scopes: string[];
  revoked: boolean;
}

interface CodeRecord {
  grant: Grant;
  redirectUri: string;
  challenge: string | undefined;
  method: string | undefined;
  expiresAt: number;
  used: boolean;
}

export interface AccessRecord {
  token: string;
  grant: Grant;
  issuedAt: number;
  expiresAt: number | null;
  /** Emulator-specific (e.g. Instagram "short" / "long"). */
  kind: string;
  revoked: boolean;
}

export interface RefreshRecord {
  token: string;
  grant: Grant;
  issuedAt: number;
  expiresAt: number | null;
  used: boolean;
}

export type Redeemed =
  | { ok: true; grant: Grant }
  | {
      ok: false;
      reason:
        | "not_found"
        | "used"
        | "expired"
        | "redirect_mismatch"
        | "client_mismatch"
        | "pkce_mismatch"
        | "revoked";
    };

export type Checked<R> =
  { ok: true; record: R } | { ok: false; reason: "unknown" | "expired" | "revoked" | "used" };

/**
 * The OAuth state of one fake provider: single-use codes that expire, access tokens,
 * refresh tokens (single use where the provider rotates them), and grants that can be
 * revoked, taking every token issued under them along.
 */
export class OAuthStore {
  private readonly codes = new Map<string, CodeRecord>();
  readonly access = new Map<string, AccessRecord>();
  readonly refresh = new Map<string, RefreshRecord>();
  readonly grants = new Map<string, Grant>();

  constructor(
    private readonly clock: Clock,
    private readonly prefixes: { code: string; access: string; refresh: string },
  ) {}

  private token(prefix: string): string {
    return `${prefix}${randomBytes(24).toString("base64url")}`;
  }

  createGrant(accountId: string, clientId: string, scopes: string[]): Grant {
    const grant: Grant = {
      id: randomBytes(8).toString("hex"),
      accountId,
      clientId,
      scopes,
      revoked: false,
    };
    this.grants.set(grant.id, grant);
    return grant;
  }

  issueCode(
    grant: Grant,
    options: {
      redirectUri: string;
      challenge?: string | undefined;
      method?: string | undefined;
      ttlMs: number;
    },
  ): string {
    const code = this.token(this.prefixes.code);
    this.codes.set(code, {
      grant,
      redirectUri: options.redirectUri,
      challenge: options.challenge,
      method: options.method,
      expiresAt: this.clock.now() + options.ttlMs,
      used: false,
    });
    return code;
  }

  redeemCode(
    code: string,
    check: { clientId: string; redirectUri: string; verifier?: string | undefined },
  ): Redeemed {
    const record = this.codes.get(code);
    if (!record) return { ok: false, reason: "not_found" };
    if (record.used) return { ok: false, reason: "used" };
    record.used = true;
    if (record.expiresAt <= this.clock.now()) return { ok: false, reason: "expired" };
    if (record.grant.clientId !== check.clientId) return { ok: false, reason: "client_mismatch" };
    if (record.redirectUri !== check.redirectUri) return { ok: false, reason: "redirect_mismatch" };
    if (record.grant.revoked) return { ok: false, reason: "revoked" };
    if (record.challenge !== undefined) {
      const verifier = check.verifier ?? "";
      const computed =
        record.method === "plain"
          ? verifier
          : createHash("sha256").update(verifier).digest("base64url");
      if (computed !== record.challenge) return { ok: false, reason: "pkce_mismatch" };
    }
    return { ok: true, grant: record.grant };
  }

  issueAccess(grant: Grant, ttlMs: number | null, kind = "access"): AccessRecord {
    const now = this.clock.now();
    const record: AccessRecord = {
      token: this.token(this.prefixes.access),
      grant,
      issuedAt: now,
      expiresAt: ttlMs === null ? null : now + ttlMs,
      kind,
      revoked: false,
    };
    this.access.set(record.token, record);
    return record;
  }

  issueRefresh(grant: Grant, ttlMs: number | null): RefreshRecord {
    const now = this.clock.now();
    const record: RefreshRecord = {
      token: this.token(this.prefixes.refresh),
      grant,
      issuedAt: now,
      expiresAt: ttlMs === null ? null : now + ttlMs,
      used: false,
    };
    this.refresh.set(record.token, record);
    return record;
  }

  checkAccess(token: string | null): Checked<AccessRecord> {
    const record = token ? this.access.get(token) : undefined;
    if (!record) return { ok: false, reason: "unknown" };
    if (record.revoked || record.grant.revoked) return { ok: false, reason: "revoked" };
    if (record.expiresAt !== null && record.expiresAt <= this.clock.now())
      return { ok: false, reason: "expired" };
    return { ok: true, record };
  }

  /** A refresh token's use; `singleUse` spends it (X). */
  useRefresh(token: string, singleUse: boolean): Checked<RefreshRecord> {
    const record = this.refresh.get(token);
    if (!record) return { ok: false, reason: "unknown" };
    if (record.grant.revoked) return { ok: false, reason: "revoked" };
    if (record.used) return { ok: false, reason: "used" };
    if (record.expiresAt !== null && record.expiresAt <= this.clock.now())
      return { ok: false, reason: "expired" };
    if (singleUse) record.used = true;
    return { ok: true, record };
  }

  revokeToken(token: string): boolean {
    const access = this.access.get(token);
    if (access) access.revoked = true;
    const refresh = this.refresh.get(token);
    if (refresh) refresh.grant.revoked = true;
    return Boolean(access ?? refresh);
  }

  revokeGrant(grant: Grant): void {
    grant.revoked = true;
  }

  /** Every grant of an account (the user removing the app at the provider). */
  revokeAccount(accountId: string): void {
    for (const grant of this.grants.values())
      if (grant.accountId === accountId) grant.revoked = true;
  }
}
