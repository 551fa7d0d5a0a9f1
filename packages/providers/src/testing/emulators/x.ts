import type { FaultResponse } from "../faults";
import { fakeFile } from "../fake-bytes";
import {
  Answer,
  BaseEmulator,
  json,
  offsetCursor,
  type EmulatorOptions,
  type RequestContext,
  type Route,
} from "../emulator";
import type { AccessRecord, Grant } from "../oauth-store";

export interface XMedia {
  media_key: string;
  type: "photo" | "video" | "animated_gif";
}

export interface XPost {
  id: string;
  text: string;
  /** Over 280 characters: `text` is cut and the whole text sits in note_tweet. */
  longText?: string;
  created_at: Date;
  media: XMedia[];
}

export interface XAccount {
  id: string;
  username: string;
  name: string;
  posts: XPost[];
}

export interface XEmulatorOptions extends EmulatorOptions {
  /** The listing's field parameter this API version accepts (guides vs newer spec). */
  fieldsParam?: "tweet.fields" | "post.fields";
}

const ACCESS_TTL = 2 * 3600_000;
const REFRESH_TTL = 180 * 24 * 3600_000;
const FOREVER = 10 * 365 * 24 * 3600_000;

function problem(status: number, title: string, type = "about:blank", detail = title): Response {
  return new Response(JSON.stringify({ title, detail, type, status }), {
    status,
    headers: { "content-type": "application/problem+json" },
  });
}

function oauthError(status: number, error: string, description: string): Response {
  return json({ error, error_description: description }, status);
}

/**
 * X API v2 with OAuth 2.0 + PKCE: consent (code valid ~30 s), the token endpoint with Basic
 * client auth and single-use rotating refresh tokens, revoke, /2/users/me, a user's posts
 * with media expansions and next_token paging, and the media CDN.
 */
export class XEmulator extends BaseEmulator {
  readonly accounts = new Map<string, XAccount>();
  private readonly fieldsParam: "tweet.fields" | "post.fields";

  constructor(options: XEmulatorOptions = {}) {
    super("x", options, { code: "Y29kZ", access: "VGhpc0lzQW5B", refresh: "UmVmcmVzaF" });
    this.fieldsParam = options.fieldsParam ?? "tweet.fields";
    this.accounts.set("1460203001234567890", {
      id: "1460203001234567890",
      username: "ada_ex",
      name: "Ada Example",
      posts: [],
    });
    this.seedPosts("1460203001234567890", options.media ?? 30);
  }

  /** Posts newest first: text only, one photo, two photos and a video, a GIF, long ones. */
  seedPosts(accountId: string, count: number): void {
    const account = this.accounts.get(accountId);
    if (!account) throw new Error(`no account ${accountId}`);
    const start = account.posts.length;
    for (let n = start; n < start + count; n++) {
      const id = (1800000000000000000n + BigInt(n) * 10n + 1n).toString();
      const key = (type: string, k: number) =>
        `${type}_${(1800000000000000000n + BigInt(n) * 10n + BigInt(k)).toString()}`;
      const media: XMedia[] =
        n % 4 === 1
          ? [{ media_key: key("3", 2), type: "photo" }]
          : n % 4 === 2
            ? [
                { media_key: key("3", 2), type: "photo" },
                { media_key: key("3", 3), type: "photo" },
                { media_key: key("7", 4), type: "video" },
              ]
            : n % 4 === 3
              ? [{ media_key: key("16", 5), type: "animated_gif" }]
              : [];
      const post: XPost = {
        id,
        text: `Post ${n}${media.length ? " https://t.co/x" : ""}`,
        created_at: new Date(Date.UTC(2025, 4, 2, 9, 15) - n * 3600_000),
        media,
      };
      if (n % 10 === 7) {
        post.longText = `Long post ${n}: ${"word ".repeat(80)}`.trim();
        post.text = `${post.longText.slice(0, 270)}…`;
      }
      account.posts.push(post);
    }
  }

  protected defaultAccountId(): string {
    return this.accounts.keys().next().value ?? "";
  }

  protected defaultScopes(): string[] {
    return ["tweet.read", "users.read", "offline.access"];
  }

  /** Tokens as the token endpoint would issue them, without the browser dance. */
  issueTokens(accountId = this.defaultAccountId(), scopes = this.defaultScopes()) {
    const grant = this.grant(accountId, scopes);
    return {
      access: this.oauth.issueAccess(grant, ACCESS_TTL),
      refresh: this.oauth.issueRefresh(grant, REFRESH_TTL),
    };
  }

  protected routes(): Route[] {
    return [
      [
        "GET",
        /^\/i\/oauth2\/authorize$/,
        (ctx) => this.authorize(ctx, { requirePkce: true, codeTtlMs: 30_000 }, / +/),
      ],
      ["POST", /^\/2\/oauth2\/token$/, (ctx) => this.token(ctx)],
      ["POST", /^\/2\/oauth2\/revoke$/, (ctx) => this.revoke(ctx)],
      ["GET", /^\/2\/users\/me$/, (ctx) => this.me(ctx)],
      ["GET", /^\/2\/users\/([^/]+)\/tweets$/, (ctx) => this.posts(ctx)],
    ];
  }

  /** Confidential clients authenticate with Basic; a missing or wrong one is a 401. */
  private client(ctx: RequestContext): string {
    const basic = this.basicClient(ctx);
    if (!basic || this.secretOf(basic.id) !== basic.secret) {
      throw new Answer(
        oauthError(401, "unauthorized_client", "Missing valid authorization header"),
      );
    }
    return basic.id;
  }

  private issue(grant: Grant): Response {
    const access = this.oauth.issueAccess(grant, ACCESS_TTL);
    const refresh = grant.scopes.includes("offline.access")
      ? this.oauth.issueRefresh(grant, REFRESH_TTL)
      : undefined;
    return json({
      token_type: "bearer",
      expires_in: ACCESS_TTL / 1000,
      access_token: access.token,
      scope: grant.scopes.join(" "),
      ...(refresh ? { refresh_token: refresh.token } : {}),
    });
  }

  private async token(ctx: RequestContext): Promise<Response> {
    const clientId = this.client(ctx);
    const form = await this.params(ctx);
    switch (form.get("grant_type")) {
      case "authorization_code": {
        const redeemed = this.oauth.redeemCode(form.get("code") ?? "", {
          clientId,
          redirectUri: form.get("redirect_uri") ?? "",
          verifier: form.get("code_verifier") ?? "",
        });
        if (!redeemed.ok) {
          return oauthError(
            400,
            "invalid_request",
            "Value passed for the authorization code was invalid.",
          );
        }
        return this.issue(redeemed.grant);
      }
      case "refresh_token": {
        // Single use: the token just presented is spent whatever happens next.
        const used = this.oauth.useRefresh(form.get("refresh_token") ?? "", true);
        if (!used.ok)
          return oauthError(400, "invalid_request", "Value passed for the token was invalid.");
        return this.issue(used.record.grant);
      }
      default:
        return oauthError(400, "invalid_request", "Missing required parameter [grant_type].");
    }
  }

  private async revoke(ctx: RequestContext): Promise<Response> {
    this.client(ctx);
    const form = await this.params(ctx);
    const revoked = this.oauth.revokeToken(form.get("token") ?? "");
    return json({ revoked });
  }

  private authed(ctx: RequestContext): AccessRecord {
    const check = this.oauth.checkAccess(this.tokenOf(ctx));
    if (!check.ok) throw new Answer(problem(401, "Unauthorized", "about:blank", "Unauthorized"));
    const scopes = check.record.grant.scopes;
    if (!scopes.includes("tweet.read") || !scopes.includes("users.read")) {
      throw new Answer(
        problem(403, "Forbidden", "about:blank", "Missing scope tweet.read or users.read"),
      );
    }
    return check.record;
  }

  private rateHeaders(): Record<string, string> {
    return {
      "x-rate-limit-limit": "900",
      "x-rate-limit-remaining": "899",
      "x-rate-limit-reset": String(Math.floor(this.clock.now() / 1000) + 900),
    };
  }

  private me(ctx: RequestContext): Response {
    const record = this.authed(ctx);
    const account = this.accounts.get(record.grant.accountId);
    if (!account) return problem(404, "Not Found");
    return json(
      { data: { id: account.id, name: account.name, username: account.username } },
      200,
      this.rateHeaders(),
    );
  }

  private mediaJson(ctx: RequestContext, media: XMedia) {
    if (media.type === "photo") {
      return {
        media_key: media.media_key,
        type: "photo",
        url: this.signedUrl(ctx, `${media.media_key}:photo`, FOREVER),
        width: 2048,
        height: 1536,
      };
    }
    return {
      media_key: media.media_key,
      type: media.type,
      preview_image_url: this.signedUrl(ctx, `${media.media_key}:preview`, FOREVER),
      ...(media.type === "video" ? { duration_ms: 14500 } : {}),
      variants: [
        {
          bit_rate: 832000,
          content_type: "video/mp4",
          url: this.signedUrl(ctx, `${media.media_key}:low`, FOREVER),
        },
        {
          content_type: "application/x-mpegURL",
          url: this.signedUrl(ctx, `${media.media_key}:hls`, FOREVER),
        },
        {
          bit_rate: 2176000,
          content_type: "video/mp4",
          url: this.signedUrl(ctx, `${media.media_key}:high`, FOREVER),
        },
      ],
    };
  }

  private posts(ctx: RequestContext): Response {
    const record = this.authed(ctx);
    const account = this.accounts.get(ctx.params[0] ?? "");
    if (!account)
      return problem(404, "Not Found Error", "https://api.x.com/2/problems/resource-not-found");
    if (account.id !== record.grant.accountId) return problem(403, "Forbidden");
    const q = ctx.url.searchParams;
    const other = this.fieldsParam === "tweet.fields" ? "post.fields" : "tweet.fields";
    if (q.has(other)) {
      return problem(
        400,
        "Invalid Request",
        "https://api.x.com/2/problems/invalid-request",
        `The query parameter [${other}] is not one of [${this.fieldsParam}]`,
      );
    }
    const max = Number(q.get("max_results") ?? 10);
    if (!Number.isInteger(max) || max < 5 || max > 100) {
      return problem(
        400,
        "Invalid Request",
        "https://api.x.com/2/problems/invalid-request",
        "max_results must be 5 to 100",
      );
    }
    const offset = offsetCursor.decode(q.get("pagination_token"));
    if (offset < 0)
      return problem(400, "Invalid Request", "https://api.x.com/2/problems/invalid-request");
    const slice = account.posts.slice(offset, offset + max);
    const media = slice.flatMap((post) => post.media.map((m) => this.mediaJson(ctx, m)));
    const next =
      offset + max < account.posts.length ? offsetCursor.encode(offset + max) : undefined;
    return json(
      {
        ...(slice.length
          ? {
              data: slice.map((post) => ({
                id: post.id,
                text: post.text,
                created_at: post.created_at.toISOString(),
                edit_history_tweet_ids: [post.id],
                ...(post.media.length
                  ? { attachments: { media_keys: post.media.map((m) => m.media_key) } }
                  : {}),
                ...(post.longText ? { note_tweet: { text: post.longText } } : {}),
              })),
            }
          : {}),
        ...(media.length ? { includes: { media } } : {}),
        meta: {
          result_count: slice.length,
          ...(slice.length
            ? { newest_id: slice[0]?.id, oldest_id: slice[slice.length - 1]?.id }
            : {}),
          ...(next ? { next_token: next } : {}),
        },
      },
      200,
      this.rateHeaders(),
    );
  }

  protected asset(key: string) {
    const [mediaKey, variant] = key.split(":");
    for (const account of this.accounts.values()) {
      for (const post of account.posts) {
        if (post.media.some((m) => m.media_key === mediaKey)) {
          return fakeFile(variant === "high" || variant === "low" ? "video" : "image", key);
        }
      }
    }
    return undefined;
  }

  protected renderFault(fault: FaultResponse): Response {
    if (fault.type === "rate_limit") {
      const response = problem(429, "Too Many Requests");
      response.headers.set("x-rate-limit-limit", "900");
      response.headers.set("x-rate-limit-remaining", "0");
      response.headers.set(
        "x-rate-limit-reset",
        String(Math.floor(this.clock.now() / 1000) + (fault.retryAfterSeconds ?? 900)),
      );
      return response;
    }
    return problem(
      fault.type === "server_error" ? (fault.status ?? 503) : 500,
      "Service Unavailable",
    );
  }
}
