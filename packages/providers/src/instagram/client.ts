import type { z } from "zod";

import { downloadFromCdn } from "../cdn";
import type { ClientDeps } from "../client-deps";
import type { InstagramConfig } from "../config";
import type { Classifier } from "../http/client";
import { mediaItem, readDownloadRef } from "../media-item";
import { classifyGraphError } from "../meta/graph-errors";
import { nextAfter } from "../meta/paging";
import { splitScopes, missingScopes } from "../oauth/scopes";
import { isExpired, tokenSetFrom } from "../oauth/token-set";
import type { MediaItem, Provider, TokenSet } from "../provider";
import { parseProviderTime } from "../time";
import { bearer, endpoint } from "../url";
import {
  DownloadRefSchema,
  LongTokenResponse,
  MediaPageResponse,
  MediaUrlsResponse,
  ProfileResponse,
  ShortTokenResponse,
  type Media,
} from "./schemas";

/** The short-lived token's documented life, for responses that leave expires_in out. */
const SHORT_LIVED_SECONDS = 3600;

const MEDIA_FIELDS =
  "id,caption,media_type,media_product_type,media_url,thumbnail_url,permalink,shortcode,timestamp,username,children{id,media_type,media_url,thumbnail_url}";

/**
 * Instagram API with Instagram Login (professional accounts only). No PKCE, no refresh
 * token: the short-lived token is exchanged for a 60-day one, which renews itself once it is
 * at least 24 h old. No revoke API: unlinking deletes the stored token.
 */
export function createInstagramClient(config: InstagramConfig, deps: ClientDeps): Provider {
  const { http, credentials } = deps;
  const graph = (path: string, query?: Record<string, string | number | undefined>) =>
    endpoint(config.urls.graph, `/${config.graphVersion}${path}`, query);
  const classify: Classifier = classifyGraphError;

  function scopesFrom(permissions: string | string[] | undefined, fallback: string[]): string[] {
    const granted = splitScopes(permissions);
    return granted.length ? granted : fallback;
  }

  function child(media: {
    id: string;
    media_type: string;
    media_url?: string | undefined;
    thumbnail_url?: string | undefined;
  }): MediaItem {
    const partial = !media.media_url;
    return mediaItem({
      id: media.id,
      kind: media.media_type === "VIDEO" ? "video" : "image",
      // Media with licensed audio has no media_url: only the thumbnail can be archived.
      partial,
      download: media.media_url || media.thumbnail_url ? { mediaId: media.id } : null,
    });
  }

  function toItem(media: z.output<typeof Media>): MediaItem {
    const common = {
      takenAt: parseProviderTime(media.timestamp),
      caption: media.caption ?? null,
      permalink: media.permalink ?? null,
    };
    if (media.media_type === "CAROUSEL_ALBUM") {
      return mediaItem({
        id: media.id,
        kind: "post",
        ...common,
        children: (media.children?.data ?? []).map(child),
      });
    }
    return { ...child(media), ...common };
  }

  async function freshUrl(mediaId: string, accessToken: string): Promise<string> {
    const urls = await http.json(
      {
        what: "media URL lookup",
        url: graph(`/${encodeURIComponent(mediaId)}`, { fields: "media_url,thumbnail_url" }),
        headers: bearer(accessToken),
        secrets: [accessToken],
      },
      MediaUrlsResponse,
      classify,
    );
    const url = urls.media_url ?? urls.thumbnail_url;
    if (!url) {
      throw http.error("retry_later", `instagram media ${mediaId} has no URL to download`, {
        itemNotFound: true,
      });
    }
    return url;
  }

  const missing = (tokens: TokenSet) => missingScopes(tokens.scopes, ["instagram_business_basic"]);

  return {
    id: "instagram",
    usesPkce: false,
    refreshStyle: "self",
    scopes: config.scopes,

    authorizeUrl({ state, redirectUri }) {
      return endpoint(config.urls.authorize, "/oauth/authorize", {
        client_id: credentials.clientId,
        redirect_uri: redirectUri,
        response_type: "code",
        scope: config.scopes.join(","),
        state,
      });
    },

    async exchangeCode({ code, redirectUri }) {
      const now = http.now();
      const cleanCode = code.replace(/#_$/, "");
      const body = await http.json(
        {
          what: "code exchange",
          url: endpoint(config.urls.token, "/oauth/access_token"),
          form: {
            client_id: credentials.clientId,
            client_secret: credentials.clientSecret,
            grant_type: "authorization_code",
            redirect_uri: redirectUri,
            code: cleanCode,
          },
          secrets: [credentials.clientSecret, cleanCode],
        },
        ShortTokenResponse,
        classify,
      );
      return tokenSetFrom({
        accessToken: body.access_token,
        expiresIn: body.expires_in,
        defaultExpiresIn: SHORT_LIVED_SECONDS,
        scopes: scopesFrom(body.permissions, []),
        now,
      });
    },

    async exchangeLongLived(tokens) {
      const now = http.now();
      const body = await http.json(
        {
          what: "long-lived token exchange",
          url: endpoint(config.urls.graph, "/access_token", {
            grant_type: "ig_exchange_token",
            client_secret: credentials.clientSecret,
            access_token: tokens.accessToken,
          }),
          secrets: [credentials.clientSecret, tokens.accessToken],
        },
        LongTokenResponse,
        classify,
      );
      return tokenSetFrom({
        accessToken: body.access_token,
        expiresIn: body.expires_in,
        scopes: scopesFrom(body.permissions, tokens.scopes),
        now,
      });
    },

    canRefresh(tokens, now = http.now()) {
      const age = now.getTime() - tokens.issuedAt.getTime();
      return age >= config.minRefreshAgeMs && !isExpired(tokens, now);
    },

    async refresh(tokens: TokenSet) {
      const now = http.now();
      if (isExpired(tokens, now)) {
        throw http.error("needs_relink", "instagram token expired without a refresh: link again");
      }
      const age = now.getTime() - tokens.issuedAt.getTime();
      if (age < config.minRefreshAgeMs) {
        // Instagram refuses refreshes of tokens under 24 h old; its error for it is undocumented.
        throw http.error("retry_later", "instagram token is too young to refresh", {
          retryAfterMs: config.minRefreshAgeMs - age,
        });
      }
      const body = await http.json(
        {
          what: "token refresh",
          url: endpoint(config.urls.graph, "/refresh_access_token", {
            grant_type: "ig_refresh_token",
            access_token: tokens.accessToken,
          }),
          secrets: [tokens.accessToken],
        },
        LongTokenResponse,
        classify,
      );
      return tokenSetFrom({
        accessToken: body.access_token,
        expiresIn: body.expires_in,
        scopes: scopesFrom(body.permissions, tokens.scopes),
        now,
      });
    },

    missingScopes: missing,

    async profile(tokens) {
      const me = await http.json(
        {
          what: "profile",
          url: graph("/me", { fields: "id,user_id,username,name,account_type" }),
          headers: bearer(tokens.accessToken),
          secrets: [tokens.accessToken],
        },
        ProfileResponse,
        classify,
      );
      return {
        // The professional-account id is what webhooks and the deauthorize callback name.
        id: me.user_id ?? me.id,
        handle: me.username ?? null,
        displayName: me.name ?? null,
        email: null,
        otherIds: {
          appScopedId: me.id,
          ...(me.account_type ? { accountType: me.account_type } : {}),
        },
      };
    },

    async listMedia({ tokens }, cursor) {
      const lacking = missing(tokens);
      if (lacking.length) {
        throw http.error("needs_relink", `instagram grant lacks ${lacking.join(", ")}`);
      }
      const page = await http.json(
        {
          what: "media listing",
          url: graph("/me/media", {
            fields: MEDIA_FIELDS,
            limit: config.pageSize,
            after: cursor ?? undefined,
          }),
          headers: bearer(tokens.accessToken),
          secrets: [tokens.accessToken],
        },
        MediaPageResponse,
        classify,
      );
      return { items: page.data.map(toItem), nextCursor: nextAfter(page.paging) };
    },

    async download({ tokens }, item) {
      const { mediaId } = readDownloadRef(http, DownloadRefSchema, item);
      // media_url is a signed CDN URL that expires: always ask for a fresh one first.
      return downloadFromCdn(http, "media download", () => freshUrl(mediaId, tokens.accessToken));
    },
  };
}
