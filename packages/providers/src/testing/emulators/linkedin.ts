import { randomBytes } from "node:crypto";

import type { FaultResponse } from "../faults";
import { fakeFile } from "../fake-bytes";
import {
  Answer,
  BaseEmulator,
  json,
  type EmulatorOptions,
  type RequestContext,
  type Route,
} from "../emulator";
import type { AccessRecord, Grant } from "../oauth-store";

export interface LinkedInPost {
  id: string;
  commentary: string;
  publishedAt: number;
  /** urn:li:image:… / urn:li:video:… ; two or more images make a multiImage post. */
  media: string[];
  article?: { source: string; title: string };
}

export interface LinkedInAccount {
  sub: string;
  name: string;
  email: string;
  posts: LinkedInPost[];
}

export interface LinkedInEmulatorOptions extends EmulatorOptions {
  /** An approved partner: refresh tokens are issued (365 days from the first consent). */
  partner?: boolean;
  /** The docs label a bad code's error invalid_redirect_uri; live answers say invalid_request. */
  codeErrorLabel?: "invalid_request" | "invalid_redirect_uri";
  /** Unverified: whether /oauth/v2/revoke exists at all. */
  revokeEndpoint?: boolean;
}

const DAY = 24 * 3600_000;
const ACCESS_TTL = 60 * DAY;
const REFRESH_TTL = 365 * DAY;

function apiError(
  status: number,
  code: string,
  message: string,
  serviceErrorCode?: number,
): Response {
  return json({ status, ...(serviceErrorCode ? { serviceErrorCode } : {}), code, message }, status);
}

function oauthError(status: number, error: string, description: string): Response {
  return json({ error, error_description: description }, status);
}

/**
 * LinkedIn's 3-legged OAuth (credentials in the form body; refresh only for partners), OIDC
 * userinfo, the versioned posts finder with start/count paging, and the Images/Videos APIs
 * that hand out expiring download URLs.
 */
export class LinkedInEmulator extends BaseEmulator {
  readonly accounts = new Map<string, LinkedInAccount>();
  readonly options: LinkedInEmulatorOptions;

  constructor(options: LinkedInEmulatorOptions = {}) {
    // LinkedIn tokens run to ~500 characters.
    super("linkedin", options, { code: "AQT", access: `AQV${"x".repeat(420)}`, refresh: "AQW" });
    this.options = options;
    this.accounts.set("782bbtaQ", {
      sub: "782bbtaQ",
      name: "Ada Example",
      email: "ada@example.com",
      posts: [],
    });
    this.seedPosts("782bbtaQ", options.media ?? 20);
  }

  /** Posts newest first: text only, one image, three images, a video, now and then an article. */
  seedPosts(sub: string, count: number): void {
    const account = this.accounts.get(sub);
    if (!account) throw new Error(`no account ${sub}`);
    for (let i = 0; i < count; i++) {
      const n = account.posts.length;
      const image = (k: number) => `urn:li:image:C4E22AQ${String(n * 10 + k).padStart(8, "0")}`;
      const media =
        [
          [],
          [image(1)],
          [image(1), image(2), image(3)],
          [`urn:li:video:D5F10AQ${String(n).padStart(8, "0")}`],
        ][n % 4] ?? [];
      account.posts.push({
        id: `urn:li:share:${(7200000000000000000n + BigInt(n)).toString()}`,
        commentary: `Post ${n}`,
        publishedAt: Date.UTC(2024, 5, 1, 12, 42, 5) - n * 3600_000,
        media: n % 9 === 8 ? [] : media,
        ...(n % 9 === 8
          ? { article: { source: "https://example.com/a", title: "An article" } }
          : {}),
      });
    }
  }

  protected defaultAccountId(): string {
    return this.accounts.keys().next().value ?? "";
  }

  protected defaultScopes(): string[] {
    return ["openid", "profile", "email", "r_member_social"];
  }

  protected routes(): Route[] {
    return [
      [
        "GET",
        /^\/oauth\/v2\/authorization$/,
        (ctx) =>
          this.authorize(
            ctx,
            {
              codeTtlMs: 30 * 60_000,
              denied: {
                error: "user_cancelled_authorize",
                error_description: "The user cancelled the authorization",
              },
            },
            / +/,
          ),
      ],
      ["POST", /^\/oauth\/v2\/accessToken$/, (ctx) => this.token(ctx)],
      ["POST", /^\/oauth\/v2\/revoke$/, (ctx) => this.revoke(ctx)],
      ["GET", /^\/v2\/userinfo$/, (ctx) => this.userinfo(ctx)],
      ["GET", /^\/rest\/posts$/, (ctx) => this.posts(ctx)],
      ["GET", /^\/rest\/(images|videos)\/([^/]+)$/, (ctx) => this.mediaAsset(ctx)],
    ];
  }

  private issue(grant: Grant, refresh?: { token: string; expiresAt: number | null }): Response {
    const access = this.oauth.issueAccess(grant, ACCESS_TTL);
    const rt =
      refresh ?? (this.options.partner ? this.oauth.issueRefresh(grant, REFRESH_TTL) : undefined);
    return json({
      access_token: access.token,
      expires_in: ACCESS_TTL / 1000,
      ...(rt
        ? {
            refresh_token: rt.token,
            refresh_token_expires_in: Math.floor(((rt.expiresAt ?? 0) - this.clock.now()) / 1000),
          }
        : {}),
      scope: [...grant.scopes].sort().join(","),
      token_type: "Bearer",
      ...(grant.scopes.includes("openid") ? { id_token: "eyJ0eXAiExample" } : {}),
    });
  }

  private async token(ctx: RequestContext): Promise<Response> {
    const form = await this.params(ctx);
    for (const field of ["grant_type", "client_id", "client_secret"]) {
      if (!form.get(field))
        return oauthError(400, "invalid_request", `A required parameter "${field}" is missing`);
    }
    const clientId = form.get("client_id");
    if (this.secretOf(clientId) !== form.get("client_secret")) {
      return oauthError(401, "invalid_client", "Client authentication failed");
    }
    if (form.get("grant_type") === "authorization_code") {
      const code = form.get("code");
      if (!code)
        return oauthError(400, "invalid_request", 'A required parameter "code" is missing');
      const redeemed = this.oauth.redeemCode(code, {
        clientId: clientId ?? "",
        redirectUri: form.get("redirect_uri") ?? "",
      });
      if (!redeemed.ok) {
        if (redeemed.reason === "not_found") {
          return oauthError(
            401,
            "invalid_request",
            "Unable to retrieve access token: authorization code not found",
          );
        }
        return oauthError(
          400,
          this.options.codeErrorLabel ?? "invalid_request",
          "Unable to retrieve access token: appid/redirect uri/code verifier does not match authorization code. Or authorization code expired. Or external member binding exists",
        );
      }
      return this.issue(redeemed.grant);
    }
    if (form.get("grant_type") === "refresh_token") {
      const used = this.options.partner
        ? this.oauth.useRefresh(form.get("refresh_token") ?? "", false)
        : undefined;
      if (!used?.ok) {
        return oauthError(
          400,
          "invalid_request",
          "The provided authorization grant or refresh token is invalid, expired or revoked",
        );
      }
      // A new 60-day access token; the refresh token keeps its end, fixed at first consent.
      return this.issue(used.record.grant, used.record);
    }
    return oauthError(400, "unsupported_grant_type", "Invalid grant type");
  }

  private async revoke(ctx: RequestContext): Promise<Response> {
    if (this.options.revokeEndpoint === false) return new Response("Not Found", { status: 404 });
    const form = await this.params(ctx);
    if (this.secretOf(form.get("client_id")) !== form.get("client_secret")) {
      return oauthError(401, "invalid_client", "Client authentication failed");
    }
    const record = this.oauth.access.get(form.get("token") ?? "");
    if (record) this.oauth.revokeGrant(record.grant);
    return new Response(null, { status: 200 });
  }

  private authed(ctx: RequestContext): { record: AccessRecord; account: LinkedInAccount } {
    const check = this.oauth.checkAccess(this.tokenOf(ctx));
    if (!check.ok) {
      throw new Answer(
        check.reason === "revoked"
          ? apiError(
              401,
              "REVOKED_ACCESS_TOKEN",
              "The token used in the request has been revoked by the user",
              65601,
            )
          : check.reason === "expired"
            ? apiError(
                401,
                "EXPIRED_ACCESS_TOKEN",
                "The token used in the request has expired",
                65602,
              )
            : apiError(401, "INVALID_ACCESS_TOKEN", "Invalid access token", 65600),
      );
    }
    const account = this.accounts.get(check.record.grant.accountId);
    if (!account)
      throw new Answer(apiError(401, "INVALID_ACCESS_TOKEN", "Invalid access token", 65600));
    return { record: check.record, account };
  }

  private versioned(ctx: RequestContext, record: AccessRecord): void {
    const version = ctx.request.headers.get("linkedin-version");
    if (!version || !/^\d{6}(\.\d{2})?$/.test(version)) {
      throw new Answer(
        apiError(
          426,
          "NONEXISTENT_VERSION",
          `Requested version ${version ?? "(none)"} is not active`,
        ),
      );
    }
    if (ctx.request.headers.get("x-restli-protocol-version") !== "2.0.0") {
      throw new Answer(
        apiError(400, "ILLEGAL_ARGUMENT", "X-Restli-Protocol-Version 2.0.0 is required"),
      );
    }
    if (!record.grant.scopes.includes("r_member_social")) {
      throw new Answer(
        apiError(
          403,
          "ACCESS_DENIED",
          "Not enough permissions to access: partnerApiPostsExternal.FINDER-author",
          100,
        ),
      );
    }
  }

  private userinfo(ctx: RequestContext): Response {
    const { account } = this.authed(ctx);
    const [given, family] = account.name.split(" ");
    return json({
      sub: account.sub,
      name: account.name,
      given_name: given,
      family_name: family,
      picture: "https://media.licdn.com/dms/image/x",
      locale: { country: "US", language: "en" },
      email: account.email,
      email_verified: true,
    });
  }

  private posts(ctx: RequestContext): Response {
    const { record, account } = this.authed(ctx);
    this.versioned(ctx, record);
    const q = ctx.url.searchParams;
    if (q.get("q") !== "author" || q.get("author") !== `urn:li:person:${account.sub}`) {
      return apiError(403, "ACCESS_DENIED", "Not enough permissions to access this author", 100);
    }
    const start = Number(q.get("start") ?? 0);
    const count = Math.min(100, Number(q.get("count") ?? 10));
    const slice = account.posts.slice(start, start + count);
    return json({
      paging: { start, count, links: [] },
      elements: slice.map((post) => {
        const [first] = post.media;
        const content =
          post.media.length > 1
            ? { multiImage: { images: post.media.map((id) => ({ id, altText: "" })) } }
            : first
              ? { media: { id: first, altText: "" } }
              : post.article
                ? { article: post.article }
                : undefined;
        return {
          id: post.id,
          author: `urn:li:person:${account.sub}`,
          commentary: post.commentary,
          visibility: "PUBLIC",
          lifecycleState: "PUBLISHED",
          createdAt: post.publishedAt,
          publishedAt: post.publishedAt,
          lastModifiedAt: post.publishedAt,
          ...(content ? { content } : {}),
        };
      }),
    });
  }

  private known(urn: string): boolean {
    for (const account of this.accounts.values()) {
      if (account.posts.some((p) => p.media.includes(urn))) return true;
    }
    return false;
  }

  private mediaAsset(ctx: RequestContext): Response {
    const { record } = this.authed(ctx);
    this.versioned(ctx, record);
    const urn = ctx.params[1] ?? "";
    if (!this.known(urn)) return apiError(404, "NOT_FOUND", `${urn} not found`);
    const ttl = 3600_000;
    return json({
      id: urn,
      downloadUrl: this.signedUrl(ctx, urn, ttl),
      downloadUrlExpiresAt: this.clock.now() + ttl,
      status: "AVAILABLE",
      ...(ctx.params[0] === "videos" ? { duration: 14500 } : {}),
      owner: `urn:li:person:${randomBytes(4).toString("hex")}`,
    });
  }

  protected asset(key: string) {
    if (!this.known(key)) return undefined;
    return fakeFile(key.startsWith("urn:li:video:") ? "video" : "image", key);
  }

  protected renderFault(fault: FaultResponse, ctx: RequestContext): Response {
    if (ctx.path.startsWith("/oauth/")) {
      return oauthError(
        fault.type === "server_error" ? (fault.status ?? 500) : 500,
        "server_error",
        "Internal server error",
      );
    }
    if (fault.type === "rate_limit") {
      return apiError(
        429,
        "TOO_MANY_REQUESTS",
        "Resource level throttle limit for calls to this resource is reached.",
        101,
      );
    }
    return apiError(
      fault.type === "server_error" ? (fault.status ?? 500) : 500,
      "INTERNAL_SERVER_ERROR",
      "Internal Server Error",
    );
  }
}
