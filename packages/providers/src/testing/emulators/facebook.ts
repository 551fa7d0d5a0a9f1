import { createHmac } from "node:crypto";

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
import type { AccessRecord } from "../oauth-store";
import { graphError, graphPaging, metaTime, tokenError } from "./meta-shared";

export interface FacebookPhoto {
  id: string;
  name?: string;
  created_time: Date;
}

export interface FacebookVideo {
  id: string;
  description?: string;
  created_time: Date;
  length: number;
}

export interface FacebookPost {
  id: string;
  message?: string;
  created_time: Date;
  /** Photo/video node ids attached; two or more make an album with subattachments. */
  attachments: { id: string; type: "photo" | "video" }[];
}

export interface FacebookAccount {
  id: string;
  name: string;
  photos: FacebookPhoto[];
  videos: FacebookVideo[];
  posts: FacebookPost[];
}

export interface FacebookEmulatorOptions extends EmulatorOptions {
  /** Disputed: whether /me/videos can be read in the pinned Graph version. */
  videosEdge?: "readable" | "unsupported";
  /** Unverified: whether fb_exchange_token on a long-lived token pushes its expiry out. */
  reexchangeExtends?: boolean;
  /** Answer calls without a valid appsecret_proof with an error ("Require App Secret"). */
  requireAppSecretProof?: boolean;
}

const DAY = 24 * 3600_000;
const SHORT_TTL = 2 * 3600_000;
const LONG_TTL = 60 * DAY;
const V = String.raw`/v\d+\.\d+`;

/**
 * Facebook Login's manual flow and the Graph API: the dialog (redirect with `#_=_`), code and
 * fb_exchange_token exchanges, /me, /me/permissions (and DELETE to revoke), the photos,
 * videos and posts edges with cursor paging, nodes for fresh URLs, and the CDN.
 */
export class FacebookEmulator extends BaseEmulator {
  readonly accounts = new Map<string, FacebookAccount>();
  readonly options: FacebookEmulatorOptions;

  constructor(options: FacebookEmulatorOptions = {}) {
    super("facebook", options, { code: "AQD", access: "EAAG", refresh: "EAAR" });
    this.options = options;
    this.accounts.set("10223344556677889", {
      id: "10223344556677889",
      name: "Ada Example",
      photos: [],
      videos: [],
      posts: [],
    });
    const media = options.media ?? 30;
    this.seed("10223344556677889", {
      photos: media,
      videos: Math.floor(media / 5),
      posts: Math.floor(media / 2),
    });
  }

  /** Photos, videos, and posts that are text only, one photo, or an album of photos and a video. */
  seed(accountId: string, counts: { photos?: number; videos?: number; posts?: number }): void {
    const account = this.accounts.get(accountId);
    if (!account) throw new Error(`no account ${accountId}`);
    const at = (n: number) => new Date(Date.UTC(2025, 5, 1, 12) - n * 3600_000);
    for (let i = 0; i < (counts.photos ?? 0); i++) {
      const n = account.photos.length;
      account.photos.push({
        id: `1${String(n).padStart(16, "0")}`,
        name: `Photo ${n}`,
        created_time: at(n),
      });
    }
    for (let i = 0; i < (counts.videos ?? 0); i++) {
      const n = account.videos.length;
      account.videos.push({
        id: `2${String(n).padStart(16, "0")}`,
        description: `Video ${n}`,
        created_time: at(n),
        length: 12.5,
      });
    }
    for (let i = 0; i < (counts.posts ?? 0); i++) {
      const n = account.posts.length;
      const photo = (k: number) => account.photos[k % Math.max(1, account.photos.length)]?.id;
      const attachments: FacebookPost["attachments"] = [];
      if (n % 3 === 1 && photo(n)) attachments.push({ id: photo(n) ?? "", type: "photo" });
      if (n % 3 === 2 && photo(n) && account.videos[0]) {
        attachments.push(
          { id: photo(n) ?? "", type: "photo" },
          { id: photo(n + 1) ?? "", type: "photo" },
        );
        attachments.push({ id: account.videos[0].id, type: "video" });
      }
      account.posts.push({
        id: `${accountId}_${String(n).padStart(16, "0")}`,
        message: `Post ${n}`,
        created_time: at(n),
        attachments,
      });
    }
  }

  protected defaultAccountId(): string {
    return this.accounts.keys().next().value ?? "";
  }

  protected defaultScopes(): string[] {
    return ["public_profile", "user_photos", "user_videos", "user_posts"];
  }

  /** A long-lived token without the browser dance. */
  issueLongLived(accountId = this.defaultAccountId(), scopes = this.defaultScopes()): AccessRecord {
    return this.oauth.issueAccess(this.grant(accountId, scopes), LONG_TTL, "long");
  }

  protected routes(): Route[] {
    return [
      [
        "GET",
        new RegExp(`^${V}/dialog/oauth$`),
        (ctx) =>
          this.authorize(ctx, {
            codeTtlMs: 10 * 60_000,
            fragment: "#_=_",
            denied: {
              error: "access_denied",
              error_code: "200",
              error_description: "Permissions error",
              error_reason: "user_denied",
            },
          }),
      ],
      ["*", new RegExp(`^${V}/oauth/access_token$`), (ctx) => this.accessToken(ctx)],
      ["GET", new RegExp(`^${V}/me$`), (ctx) => this.me(ctx)],
      ["GET", new RegExp(`^${V}/me/permissions$`), (ctx) => this.permissions(ctx)],
      ["DELETE", new RegExp(`^${V}/me/permissions$`), (ctx) => this.revokeAll(ctx)],
      ["GET", new RegExp(`^${V}/me/(photos|videos|posts)$`), (ctx) => this.edge(ctx)],
      ["GET", new RegExp(`^${V}/(\\d+)$`), (ctx) => this.node(ctx)],
    ];
  }

  private async accessToken(ctx: RequestContext): Promise<Response> {
    const q = await this.params(ctx);
    const clientId = q.get("client_id");
    if (!this.secretOf(clientId))
      return graphError(101, "Error validating application. Invalid application ID.");
    if (this.secretOf(clientId) !== q.get("client_secret")) {
      return graphError(101, "Error validating application. Invalid application secret.");
    }
    if (q.get("grant_type") === "fb_exchange_token") {
      const check = this.oauth.checkAccess(q.get("fb_exchange_token"));
      if (!check.ok) throw tokenError(check);
      const stays = check.record.kind === "long" && !this.options.reexchangeExtends;
      const ttl =
        stays && check.record.expiresAt !== null
          ? check.record.expiresAt - this.clock.now()
          : LONG_TTL;
      const token = this.oauth.issueAccess(check.record.grant, ttl, "long");
      return json({
        access_token: token.token,
        token_type: "bearer",
        expires_in: Math.floor(ttl / 1000),
      });
    }
    const redeemed = this.oauth.redeemCode(q.get("code") ?? "", {
      clientId: clientId ?? "",
      redirectUri: q.get("redirect_uri") ?? "",
      verifier: q.get("code_verifier") ?? undefined,
    });
    if (!redeemed.ok) {
      if (redeemed.reason === "redirect_mismatch") {
        return graphError(
          100,
          "Error validating verification code. Please make sure your redirect_uri is identical to the one you used in the OAuth dialog request",
          { subcode: 36008 },
        );
      }
      return graphError(100, "This authorization code has been used.", { subcode: 36009 });
    }
    const token = this.oauth.issueAccess(redeemed.grant, SHORT_TTL, "short");
    return json({ access_token: token.token, token_type: "bearer", expires_in: SHORT_TTL / 1000 });
  }

  private authed(ctx: RequestContext): { record: AccessRecord; account: FacebookAccount } {
    const token = this.tokenOf(ctx);
    const check = this.oauth.checkAccess(token);
    if (!check.ok) throw tokenError(check);
    const proof = ctx.url.searchParams.get("appsecret_proof");
    const secret = this.secretOf(check.record.grant.clientId) ?? "";
    const expected = createHmac("sha256", secret)
      .update(token ?? "")
      .digest("hex");
    if ((proof !== null || this.options.requireAppSecretProof) && proof !== expected) {
      throw new Answer(graphError(100, "Invalid appsecret_proof provided in the API argument"));
    }
    const account = this.accounts.get(check.record.grant.accountId);
    if (!account) throw tokenError({ ok: false, reason: "unknown" });
    return { record: check.record, account };
  }

  private me(ctx: RequestContext): Response {
    const { account } = this.authed(ctx);
    return json({ id: account.id, name: account.name });
  }

  private permissions(ctx: RequestContext): Response {
    const { record } = this.authed(ctx);
    const granted = record.grant.scopes.filter((s) => s !== "openid");
    const declined = this.defaultScopes().filter((s) => !granted.includes(s));
    return json({
      data: [
        ...granted.map((permission) => ({ permission, status: "granted" })),
        ...declined.map((permission) => ({ permission, status: "declined" })),
      ],
    });
  }

  private revokeAll(ctx: RequestContext): Response {
    const { record } = this.authed(ctx);
    this.oauth.revokeGrant(record.grant);
    return json({ success: true });
  }

  /** `next` carries the access token, as Facebook's does: a client must not store it. */
  private paging(ctx: RequestContext, offset: number, count: number, total: number) {
    const paging = graphPaging(ctx, offset, count, total, offsetCursor.encode);
    if (typeof paging.next === "string") {
      const next = new URL(paging.next);
      next.searchParams.set("access_token", this.tokenOf(ctx) ?? "");
      paging.next = next.toString();
    }
    return paging;
  }

  private images(ctx: RequestContext, id: string) {
    return [
      { height: 1536, width: 2048, source: this.signedUrl(ctx, `${id}:photo`) },
      { height: 480, width: 640, source: this.signedUrl(ctx, `${id}:photo-small`) },
    ];
  }

  private edge(ctx: RequestContext): Response {
    const { record, account } = this.authed(ctx);
    const edge = ctx.params[0] as "photos" | "videos" | "posts";
    const scope = { photos: "user_photos", videos: "user_videos", posts: "user_posts" }[edge];
    if (!record.grant.scopes.includes(scope))
      return graphError(200, `(#200) Requires ${scope} permission`);
    if (edge === "videos" && this.options.videosEdge === "unsupported") {
      return graphError(
        100,
        "(#100) Reading the videos edge is not supported for this Graph version",
      );
    }
    const q = ctx.url.searchParams;
    if (edge !== "posts" && q.get("type") !== "uploaded") {
      // Without type=uploaded these edges list what the user is tagged in: none here.
      return json({ data: [] });
    }
    const limit = Math.min(100, Math.max(1, Number(q.get("limit") ?? 25)));
    const offset = offsetCursor.decode(q.get("after"));
    if (offset < 0) return graphError(100, "Invalid cursor");
    const list = account[edge];
    const slice = list.slice(offset, offset + limit);
    const data = slice.map((entry) => {
      if (edge === "photos") {
        const photo = entry as FacebookPhoto;
        return {
          id: photo.id,
          created_time: metaTime(photo.created_time),
          ...(photo.name ? { name: photo.name } : {}),
          link: `https://www.facebook.com/photo.php?fbid=${photo.id}`,
          images: this.images(ctx, photo.id),
          width: 2048,
          height: 1536,
        };
      }
      if (edge === "videos") {
        const video = entry as FacebookVideo;
        return {
          id: video.id,
          created_time: metaTime(video.created_time),
          ...(video.description ? { description: video.description } : {}),
          source: this.signedUrl(ctx, `${video.id}:video`),
          length: video.length,
          permalink_url: `/${account.id}/videos/${video.id}/`,
        };
      }
      const post = entry as FacebookPost;
      const sub = (a: FacebookPost["attachments"][number]) => ({
        media_type: a.type,
        type: a.type,
        media:
          a.type === "photo"
            ? {
                image: { height: 720, width: 960, src: this.signedUrl(ctx, `${a.id}:photo-small`) },
              }
            : {
                image: { height: 720, width: 960, src: this.signedUrl(ctx, `${a.id}:photo-small`) },
                source: this.signedUrl(ctx, `${a.id}:video`),
              },
        target: { id: a.id, url: `https://www.facebook.com/${a.id}` },
      });
      const [first] = post.attachments;
      return {
        id: post.id,
        created_time: metaTime(post.created_time),
        ...(post.message ? { message: post.message } : {}),
        permalink_url: `https://www.facebook.com/${post.id}`,
        ...(post.attachments.length === 1 && first ? { attachments: { data: [sub(first)] } } : {}),
        ...(post.attachments.length > 1
          ? {
              attachments: {
                data: [
                  {
                    media_type: "album",
                    type: "album",
                    target: { id: `${post.id}_album` },
                    subattachments: { data: post.attachments.map(sub) },
                  },
                ],
              },
            }
          : {}),
      };
    });
    return json({ data, paging: this.paging(ctx, offset, slice.length, list.length) });
  }

  private findNode(id: string): "photo" | "video" | undefined {
    for (const account of this.accounts.values()) {
      if (account.photos.some((p) => p.id === id)) return "photo";
      if (account.videos.some((v) => v.id === id)) return "video";
    }
    return undefined;
  }

  private node(ctx: RequestContext): Response {
    this.authed(ctx);
    const id = ctx.params[0] ?? "";
    const type = this.findNode(id);
    if (!type)
      return graphError(100, `Unsupported get request. Object with ID '${id}' does not exist`, {
        subcode: 33,
      });
    return type === "photo"
      ? json({ id, images: this.images(ctx, id) })
      : json({ id, source: this.signedUrl(ctx, `${id}:video`) });
  }

  protected asset(key: string) {
    const [id, variant] = key.split(":");
    const type = this.findNode(id ?? "");
    if (!type) return undefined;
    return fakeFile(variant === "video" ? "video" : "image", key);
  }

  protected renderFault(fault: FaultResponse): Response {
    if (fault.type === "rate_limit") {
      return graphError(4, "Application request limit reached", {
        transient: true,
        headers: {
          "x-app-usage": JSON.stringify({ call_count: 100, total_cputime: 20, total_time: 25 }),
        },
      });
    }
    return graphError(2, "Service temporarily unavailable", {
      status: fault.type === "server_error" ? (fault.status ?? 500) : 500,
      transient: true,
    });
  }
}
