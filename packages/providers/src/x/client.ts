import type { z } from "zod";

import { classifyCdn } from "../cdn";
import type { ClientDeps } from "../client-deps";
import type { XConfig } from "../config";
import { downloadFrom } from "../download";
import type { Classification, Classifier, HttpFailure } from "../http/client";
import { mediaItem, readDownloadRef } from "../media-item";
import { classifyOAuthError } from "../oauth/errors";
import { missingScopes, splitScopes } from "../oauth/scopes";
import { tokenSetFrom } from "../oauth/token-set";
import { isProviderError } from "../errors";
import type { MediaItem, Provider, TokenSet } from "../provider";
import { OAuthTokenResponse } from "../schemas-common";
import { parseProviderTime } from "../time";
import { basicAuth, bearer, endpoint } from "../url";
import {
  DownloadRefSchema,
  LegacyErrors,
  ProblemBody,
  PostsResponse,
  RevokeResponse,
  UserResponse,
  type Media,
  type Post,
} from "./schemas";

const POST_FIELDS = "id,text,created_at,attachments,note_tweet,entities,conversation_id";
const MEDIA_FIELDS =
  "media_key,type,url,preview_image_url,variants,width,height,duration_ms,alt_text";
/** Legacy v1.1 codes: 88 rate limit, 130 over capacity, 131 internal error. */
const LEGACY_RETRY = new Set([88, 130, 131]);

/** X API v2 errors: problem+json, the legacy errors array, or an OAuth error body. */
export function classifyXError(failure: HttpFailure): Classification | undefined {
  const oauth = classifyOAuthError(failure);
  if (oauth) return oauth;
  const problem = ProblemBody.safeParse(failure.body);
  if (problem.success && (problem.data.type || problem.data.title)) {
    const detail = {
      providerCode: problem.data.type ?? problem.data.title,
      providerMessage: problem.data.detail ?? problem.data.title,
    };
    // 429 includes usage-capped (credits spent): wait, do not flag the user.
    if (failure.status === 429 || failure.status >= 500) return { code: "retry_later", ...detail };
    if (failure.status === 401) return { code: "needs_relink", ...detail };
    // client-forbidden and friends: the app lacks the access or product.
    if (failure.status === 403) return { code: "misconfigured", ...detail };
    if (failure.status === 404) return { code: "retry_later", itemNotFound: true, ...detail };
    return { code: "misconfigured", ...detail };
  }
  const legacy = LegacyErrors.safeParse(failure.body);
  if (legacy.success) {
    const first = legacy.data.errors[0];
    const detail = {
      providerCode: first?.code === undefined ? undefined : String(first.code),
      providerMessage: first?.message,
    };
    if (first?.code !== undefined && LEGACY_RETRY.has(first.code)) {
      return { code: "retry_later", ...detail };
    }
    return undefined;
  }
  return undefined;
}

/** The mp4 variant with the highest bit rate (HLS playlists have none and are skipped). */
function bestVideo(media: z.output<typeof Media>): string | undefined {
  const mp4 = (media.variants ?? []).filter((v) => v.content_type === "video/mp4");
  mp4.sort((a, b) => (b.bit_rate ?? 0) - (a.bit_rate ?? 0));
  return mp4[0]?.url;
}

/** `name=orig` asks the CDN for full resolution: a convention, so the plain URL is the fallback. */
function original(url: string): string {
  const parsed = new URL(url);
  parsed.searchParams.set("name", "orig");
  return parsed.toString();
}

function toChild(media: z.output<typeof Media>): MediaItem | null {
  const size = {
    width: media.width ?? null,
    height: media.height ?? null,
    caption: media.alt_text ?? null,
  };
  if (media.type === "photo" && media.url) {
    return mediaItem({
      id: media.media_key,
      kind: "image",
      ...size,
      download: { url: original(media.url), fallbackUrl: media.url },
    });
  }
  const video = bestVideo(media);
  if ((media.type === "video" || media.type === "animated_gif") && video) {
    return mediaItem({
      id: media.media_key,
      kind: "video",
      ...size,
      durationMs: media.duration_ms ?? null,
      download: { url: video },
    });
  }
  return null;
}

/**
 * X API v2, OAuth 2.0 with mandatory PKCE. Refresh tokens rotate and work once: store the
 * new one at once (under a per-account lock). The code lives ~30 s: exchange it in the
 * callback itself.
 */
export function createXClient(config: XConfig, deps: ClientDeps): Provider {
  const { http, credentials, logger } = deps;
  const api = (path: string, query?: Record<string, string | number | undefined>) =>
    endpoint(config.urls.api, path, query);
  const confidential = config.clientType === "confidential";
  const clientAuth = confidential
    ? { headers: { authorization: basicAuth(credentials.clientId, credentials.clientSecret) } }
    : {};
  const classify: Classifier = classifyXError;

  async function token(form: Record<string, string | undefined>, what: string, secrets: string[]) {
    return http.json(
      {
        what,
        url: api("/2/oauth2/token"),
        ...clientAuth,
        form: { ...form, client_id: confidential ? undefined : credentials.clientId },
        secrets: [...secrets, credentials.clientSecret],
      },
      OAuthTokenResponse,
      classify,
    );
  }

  function toTokens(body: OAuthTokenResponse, now: Date): TokenSet {
    return tokenSetFrom({
      accessToken: body.access_token,
      refreshToken: body.refresh_token,
      expiresIn: body.expires_in,
      defaultExpiresIn: 7200,
      scopes: splitScopes(body.scope),
      now,
    });
  }

  function toItem(post: z.output<typeof Post>, media: Map<string, z.output<typeof Media>>) {
    const children = (post.attachments?.media_keys ?? [])
      .map((key) => media.get(key))
      .map((m) => (m ? toChild(m) : null))
      .filter((child): child is MediaItem => child !== null);
    return mediaItem({
      id: post.id,
      kind: "post",
      takenAt: parseProviderTime(post.created_at),
      caption: post.note_tweet?.text ?? post.text,
      permalink: `https://x.com/i/web/status/${post.id}`,
      children,
    });
  }

  const missing = (tokens: TokenSet) => missingScopes(tokens.scopes, ["tweet.read", "users.read"]);

  return {
    id: "x",
    usesPkce: true,
    refreshStyle: "rotating",
    scopes: config.scopes,

    authorizeUrl({ state, codeChallenge, redirectUri }) {
      if (!codeChallenge) throw http.error("misconfigured", "x requires a PKCE code challenge");
      return endpoint(config.urls.authorize, "/i/oauth2/authorize", {
        response_type: "code",
        client_id: credentials.clientId,
        redirect_uri: redirectUri,
        scope: config.scopes.join(" "),
        state,
        code_challenge: codeChallenge,
        code_challenge_method: "S256",
      });
    },

    async exchangeCode({ code, codeVerifier, redirectUri }) {
      if (!codeVerifier) throw http.error("misconfigured", "x requires the PKCE code verifier");
      const now = http.now();
      const body = await token(
        {
          code,
          grant_type: "authorization_code",
          redirect_uri: redirectUri,
          code_verifier: codeVerifier,
        },
        "code exchange",
        [code, codeVerifier],
      );
      return toTokens(body, now);
    },

    canRefresh(tokens) {
      return Boolean(tokens.refreshToken);
    },

    async refresh(tokens) {
      if (!tokens.refreshToken) {
        throw http.error("needs_relink", "x grant has no refresh token (offline.access missing)");
      }
      const now = http.now();
      const body = await token(
        { grant_type: "refresh_token", refresh_token: tokens.refreshToken },
        "token refresh",
        [tokens.refreshToken],
      );
      // The refresh token just used is spent: never carry it over.
      return toTokens(body, now);
    },

    async revoke(tokens) {
      const targets: [string, string][] = [];
      if (tokens.refreshToken) targets.push([tokens.refreshToken, "refresh_token"]);
      targets.push([tokens.accessToken, "access_token"]);
      for (const [value, hint] of targets) {
        try {
          await http.json(
            {
              what: "revoke",
              url: api("/2/oauth2/revoke"),
              ...clientAuth,
              form: {
                token: value,
                token_type_hint: hint,
                client_id: confidential ? undefined : credentials.clientId,
              },
              secrets: [value, credentials.clientSecret],
            },
            RevokeResponse,
            classify,
          );
        } catch (error) {
          // A token that is already dead needs no revoking.
          if (!(isProviderError(error) && error.code === "needs_relink")) throw error;
        }
      }
    },

    missingScopes: missing,

    async profile(tokens) {
      const me = await http.json(
        {
          what: "profile",
          url: api("/2/users/me", { "user.fields": "id,name,username,profile_image_url" }),
          headers: bearer(tokens.accessToken),
          secrets: [tokens.accessToken],
        },
        UserResponse,
        classify,
      );
      return {
        id: me.data.id,
        handle: me.data.username ?? null,
        displayName: me.data.name ?? null,
        email: null,
        otherIds: {},
      };
    },

    async listMedia({ tokens, accountId }, cursor) {
      const lacking = missing(tokens);
      if (lacking.length) throw http.error("needs_relink", `x grant lacks ${lacking.join(", ")}`);
      const page = await http.json(
        {
          what: "post listing",
          url: api(`/2/users/${encodeURIComponent(accountId)}/tweets`, {
            max_results: Math.min(100, Math.max(5, config.pageSize)),
            pagination_token: cursor ?? undefined,
            [config.fieldsParam]: POST_FIELDS,
            expansions: "attachments.media_keys",
            "media.fields": MEDIA_FIELDS,
          }),
          headers: bearer(tokens.accessToken),
          secrets: [tokens.accessToken],
        },
        PostsResponse,
        classify,
      );
      if (page.errors?.length) {
        logger?.warn(
          { provider: "x", partialErrors: page.errors.length },
          "x listing had partial errors",
        );
      }
      const media = new Map((page.includes?.media ?? []).map((m) => [m.media_key, m]));
      return {
        items: (page.data ?? []).map((post) => toItem(post, media)),
        nextCursor: page.meta?.next_token ?? null,
      };
    },

    async download(_access, item) {
      const ref = readDownloadRef(http, DownloadRefSchema, item);
      // Public CDN URLs: no auth header, and they do not expire.
      try {
        const response = await http.send(
          { what: "media download", url: new URL(ref.url), headers: { accept: "*/*" } },
          classifyCdn,
        );
        return downloadFrom(http, response, "media download");
      } catch (error) {
        if (!ref.fallbackUrl || !isProviderError(error) || (error.status ?? 500) >= 500)
          throw error;
        const response = await http.send(
          { what: "media download", url: new URL(ref.fallbackUrl), headers: { accept: "*/*" } },
          classifyCdn,
        );
        return downloadFrom(http, response, "media download");
      }
    },
  };
}
