import type { FaultResponse } from "../faults";
import { fakeFile } from "../fake-bytes";
import {
  Answer,
  BaseEmulator,
  json,
  offsetCursor,
  rawJson,
  type EmulatorOptions,
  type RequestContext,
  type Route,
} from "../emulator";
import type { AccessRecord } from "../oauth-store";
import { graphError, graphPaging, metaTime, tokenError } from "./meta-shared";

export interface InstagramMedia {
  id: string;
  caption?: string;
  media_type: "IMAGE" | "VIDEO" | "CAROUSEL_ALBUM";
  media_product_type: "FEED" | "REELS";
  timestamp: Date;
  /** Licensed audio: no media_url, only a thumbnail. */
  copyrighted?: boolean;
  children?: { id: string; media_type: "IMAGE" | "VIDEO" }[];
}

export interface InstagramAccount {
  /** The app-scoped id (`id` on /me). */
  id: string;
  /** The professional-account id (`user_id`), beyond 2^53. */
  userId: string;
  username: string;
  name: string;
  accountType: string;
  media: InstagramMedia[];
}

export interface InstagramEmulatorOptions extends EmulatorOptions {
  /** The code exchange's answer: flat (live) or wrapped in `data[]` (the guide). */
  tokenResponse?: "flat" | "wrapped";
  /** /me: flat (live) or wrapped in `data[]` (the docs). */
  profileResponse?: "flat" | "wrapped";
  /** Unverified: whether a refresh kills the previous long-lived token. */
  refreshInvalidatesPrevious?: boolean;
}

const DAY = 24 * 3600_000;
const SHORT_TTL = 3600_000;
const LONG_TTL = 60 * DAY;
const VERSION = String.raw`/v\d+\.\d+`;

/**
 * Instagram API with Instagram Login: www.instagram.com's consent, api.instagram.com's code
 * exchange, graph.instagram.com's long-lived tokens, profile, media and media URLs, and a CDN.
 */
export class InstagramEmulator extends BaseEmulator {
  readonly accounts = new Map<string, InstagramAccount>();
  readonly options: InstagramEmulatorOptions;

  constructor(options: InstagramEmulatorOptions = {}) {
    super("instagram", options, { code: "AQB", access: "IGAAT", refresh: "IGRT" });
    this.options = options;
    this.addAccount({
      id: "9876543210123456",
      userId: "17841400123456789",
      username: "acme.studio",
      name: "Acme Studio",
      accountType: "BUSINESS",
      media: [],
    });
    this.seedMedia("9876543210123456", options.media ?? 30);
  }

  addAccount(account: InstagramAccount): InstagramAccount {
    this.accounts.set(account.id, account);
    return account;
  }

  /** `count` posts, newest first: images, reels, carousels of three, some with licensed audio. */
  seedMedia(accountId: string, count: number): void {
    const account = this.accounts.get(accountId);
    if (!account) throw new Error(`no account ${accountId}`);
    const start = account.media.length;
    for (let n = start; n < start + count; n++) {
      const id = `18${String(10 ** 15 + n).padStart(16, "0")}`;
      const timestamp = new Date(Date.UTC(2025, 5, 1, 18, 22, 5) - n * 3600_000);
      if (n % 9 === 3) {
        account.media.push({
          id,
          caption: `Carousel ${n}`,
          media_type: "CAROUSEL_ALBUM",
          media_product_type: "FEED",
          timestamp,
          children: [
            { id: `179${String(n * 3).padStart(15, "0")}`, media_type: "IMAGE" },
            { id: `179${String(n * 3 + 1).padStart(15, "0")}`, media_type: "VIDEO" },
            { id: `179${String(n * 3 + 2).padStart(15, "0")}`, media_type: "IMAGE" },
          ],
        });
      } else if (n % 7 === 5) {
        account.media.push({
          id,
          caption: `Reel ${n}`,
          media_type: "VIDEO",
          media_product_type: "REELS",
          timestamp,
          copyrighted: n % 14 === 12,
        });
      } else {
        account.media.push({
          id,
          caption: `Photo ${n}`,
          media_type: "IMAGE",
          media_product_type: "FEED",
          timestamp,
        });
      }
    }
  }

  protected defaultAccountId(): string {
    return this.accounts.keys().next().value ?? "";
  }

  protected defaultScopes(): string[] {
    return ["instagram_business_basic"];
  }

  /** A long-lived token as if linked `ageMs` ago, for tests that start linked. */
  issueLongLived(accountId = this.defaultAccountId(), ageMs = 0): AccessRecord {
    const record = this.oauth.issueAccess(this.grant(accountId), LONG_TTL, "long");
    record.issuedAt -= ageMs;
    if (record.expiresAt !== null) record.expiresAt -= ageMs;
    return record;
  }

  protected routes(): Route[] {
    return [
      [
        "GET",
        /^\/oauth\/authorize$/,
        (ctx) =>
          this.authorize(ctx, {
            codeTtlMs: 3600_000,
            fragment: "#_",
            denied: {
              error: "access_denied",
              error_reason: "user_denied",
              error_description: "The user denied your request",
            },
          }),
      ],
      ["POST", /^\/oauth\/access_token$/, (ctx) => this.exchange(ctx)],
      ["GET", /^\/access_token$/, (ctx) => this.longLived(ctx)],
      ["GET", /^\/refresh_access_token$/, (ctx) => this.refreshToken(ctx)],
      ["GET", new RegExp(`^${VERSION}/me$`), (ctx) => this.me(ctx)],
      ["GET", new RegExp(`^${VERSION}/(me|\\d+)/media$`), (ctx) => this.mediaPage(ctx)],
      ["GET", new RegExp(`^${VERSION}/(\\d+)$`), (ctx) => this.mediaNode(ctx)],
    ];
  }

  private legacyError(message: string, status = 400): Response {
    return json({ error_type: "OAuthException", code: status, error_message: message }, status);
  }

  private async exchange(ctx: RequestContext): Promise<Response> {
    const form = await this.params(ctx);
    const clientId = form.get("client_id");
    if (!clientId || this.secretOf(clientId) !== form.get("client_secret")) {
      return this.legacyError("Invalid platform app");
    }
    if (form.get("grant_type") !== "authorization_code")
      return this.legacyError("Unsupported grant_type");
    const redeemed = this.oauth.redeemCode(form.get("code") ?? "", {
      clientId,
      redirectUri: form.get("redirect_uri") ?? "",
    });
    if (!redeemed.ok) {
      return this.legacyError(
        redeemed.reason === "redirect_mismatch"
          ? "Error validating verification code. Please make sure your redirect_uri is identical to the one you used in the OAuth dialog request"
          : "Matching code was not found or was already used",
      );
    }
    const token = this.oauth.issueAccess(redeemed.grant, SHORT_TTL, "short");
    const account = this.accounts.get(redeemed.grant.accountId);
    const permissions = redeemed.grant.scopes;
    if (this.options.tokenResponse === "wrapped") {
      return json({
        data: [
          {
            access_token: token.token,
            user_id: account?.userId ?? "",
            permissions: permissions.join(","),
          },
        ],
      });
    }
    // The live flat form: user_id as a bare JSON number beyond 2^53, permissions as an array.
    return rawJson(
      `{"access_token":${JSON.stringify(token.token)},"user_id":${account?.userId ?? "0"},"permissions":${JSON.stringify(permissions)}}`,
    );
  }

  private longLived(ctx: RequestContext): Response {
    const q = ctx.url.searchParams;
    if (q.get("grant_type") !== "ig_exchange_token")
      return graphError(100, "Unsupported grant_type");
    if (![...this.clients.values()].includes(q.get("client_secret") ?? "")) {
      return graphError(101, "Error validating client secret.");
    }
    const check = this.oauth.checkAccess(q.get("access_token"));
    if (!check.ok) throw tokenError(check);
    if (check.record.kind !== "short") return graphError(100, "Token is already long-lived");
    const token = this.oauth.issueAccess(check.record.grant, LONG_TTL, "long");
    return json({
      access_token: token.token,
      token_type: "bearer",
      expires_in: LONG_TTL / 1000 - 56,
    });
  }

  private refreshToken(ctx: RequestContext): Response {
    const q = ctx.url.searchParams;
    if (q.get("grant_type") !== "ig_refresh_token")
      return graphError(100, "Unsupported grant_type");
    const check = this.oauth.checkAccess(q.get("access_token"));
    if (!check.ok) throw tokenError(check);
    if (check.record.kind !== "long")
      return graphError(100, "Only long-lived tokens can be refreshed");
    if (this.clock.now() - check.record.issuedAt < DAY) {
      // The real code for this is undocumented.
      return graphError(100, "The access token is too new to refresh (under 24 hours old)");
    }
    if (this.options.refreshInvalidatesPrevious) check.record.revoked = true;
    const token = this.oauth.issueAccess(check.record.grant, LONG_TTL, "long");
    return json({
      access_token: token.token,
      token_type: "bearer",
      expires_in: LONG_TTL / 1000 - 56,
      permissions: check.record.grant.scopes.join(","),
    });
  }

  private authed(ctx: RequestContext): { record: AccessRecord; account: InstagramAccount } {
    const check = this.oauth.checkAccess(this.tokenOf(ctx));
    if (!check.ok) throw tokenError(check);
    const account = this.accounts.get(check.record.grant.accountId);
    if (!account) throw tokenError({ ok: false, reason: "unknown" });
    if (!check.record.grant.scopes.includes("instagram_business_basic")) {
      throw new Answer(graphError(10, "Application does not have permission for this action"));
    }
    return { record: check.record, account };
  }

  private me(ctx: RequestContext): Response {
    const { account } = this.authed(ctx);
    const profile = {
      id: account.id,
      user_id: account.userId,
      username: account.username,
      name: account.name,
      account_type: account.accountType,
      media_count: account.media.length,
    };
    // user_id as a bare number would be exact only by luck: live responses quote it.
    return this.options.profileResponse === "wrapped" ? json({ data: [profile] }) : json(profile);
  }

  private urls(
    ctx: RequestContext,
    media: { id: string; media_type: string; copyrighted?: boolean },
  ) {
    const thumbnail =
      media.media_type === "VIDEO"
        ? { thumbnail_url: this.signedUrl(ctx, `${media.id}:thumb`) }
        : {};
    if (media.copyrighted) return thumbnail;
    return { media_url: this.signedUrl(ctx, `${media.id}:media`), ...thumbnail };
  }

  private mediaPage(ctx: RequestContext): Response {
    const { account } = this.authed(ctx);
    const q = ctx.url.searchParams;
    const limit = Math.min(100, Math.max(1, Number(q.get("limit") ?? 25)));
    const offset = offsetCursor.decode(q.get("after"));
    if (offset < 0) return graphError(100, "Invalid cursor", { type: "IGApiException" });
    const slice = account.media.slice(offset, offset + limit);
    const data = slice.map((media) => ({
      id: media.id,
      ...(media.caption ? { caption: media.caption } : {}),
      media_type: media.media_type,
      media_product_type: media.media_product_type,
      ...(media.media_type === "CAROUSEL_ALBUM" ? {} : this.urls(ctx, media)),
      permalink: `https://www.instagram.com/p/${media.id.slice(-8)}/`,
      timestamp: metaTime(media.timestamp),
      username: account.username,
      ...(media.children
        ? {
            children: {
              data: media.children.map((child) => ({
                id: child.id,
                media_type: child.media_type,
                ...this.urls(ctx, child),
              })),
            },
          }
        : {}),
    }));
    return json({
      data,
      paging: graphPaging(ctx, offset, slice.length, account.media.length, offsetCursor.encode),
    });
  }

  private findMedia(
    id: string,
  ): { id: string; media_type: string; copyrighted?: boolean } | undefined {
    for (const account of this.accounts.values()) {
      for (const media of account.media) {
        if (media.id === id) return media;
        const child = media.children?.find((c) => c.id === id);
        if (child) return child;
      }
    }
    return undefined;
  }

  private mediaNode(ctx: RequestContext): Response {
    this.authed(ctx);
    const media = this.findMedia(ctx.params[0] ?? "");
    if (!media)
      return graphError(100, "Unsupported get request. Object does not exist", { subcode: 33 });
    return json({ id: media.id, ...this.urls(ctx, media) });
  }

  protected asset(key: string) {
    const [id, variant] = key.split(":");
    const media = this.findMedia(id ?? "");
    if (!media) return undefined;
    return fakeFile(variant === "media" && media.media_type === "VIDEO" ? "video" : "image", key);
  }

  protected renderFault(fault: FaultResponse): Response {
    if (fault.type === "rate_limit") {
      const minutes = Math.ceil((fault.retryAfterSeconds ?? 60) / 60);
      return graphError(80002, "There have been too many calls to this Instagram account.", {
        type: "IGApiException",
        headers: {
          "x-business-use-case-usage": JSON.stringify({
            "17841400123456789": [
              {
                type: "instagram",
                call_count: 100,
                total_cputime: 12,
                total_time: 15,
                estimated_time_to_regain_access: minutes,
              },
            ],
          }),
        },
      });
    }
    if (fault.type === "server_error") {
      return graphError(2, "An unexpected error has occurred. Please retry your request later.", {
        status: fault.status ?? 500,
        transient: true,
      });
    }
    return json({}, 500);
  }
}
