import type { z } from "zod";

import { downloadFromCdn } from "../cdn";
import type { ClientDeps } from "../client-deps";
import type { LinkedInConfig } from "../config";
import { isProviderError } from "../errors";
import type { Classification, Classifier, HttpFailure } from "../http/client";
import { untilUtcMidnightMs } from "../http/retry-after";
import { mediaItem, readDownloadRef } from "../media-item";
import { classifyOAuthError } from "../oauth/errors";
import { missingScopes, splitScopes } from "../oauth/scopes";
import { tokenSetFrom } from "../oauth/token-set";
import type { MediaItem, Provider, TokenSet } from "../provider";
import { OAuthTokenResponse } from "../schemas-common";
import { parseProviderTime } from "../time";
import { bearer, endpoint } from "../url";
import {
  ApiErrorBody,
  DownloadRefSchema,
  MediaAssetResponse,
  type Post,
  PostsResponse,
  UserInfoResponse,
} from "./schemas";

export const MEMBER_POSTS_SCOPE = "r_member_social";

/** Freshly minted tokens have been seen to answer 401 for a short while: retry, do not flag. */
const FRESH_TOKEN_GRACE_MS = 5 * 60_000;

/** LinkedIn's errors, read in the light of the token that got them. */
export function linkedInClassifier(tokens: TokenSet | null, now: () => Date): Classifier {
  return (failure: HttpFailure): Classification | undefined => {
    const oauth = classifyOAuthError(failure);
    if (oauth) return oauth;
    const parsed = ApiErrorBody.safeParse(failure.body);
    const body = parsed.success ? parsed.data : {};
    const detail = {
      providerCode:
        body.code ??
        (body.serviceErrorCode === undefined ? undefined : String(body.serviceErrorCode)),
      providerMessage: body.message,
    };
    if (failure.status === 401) {
      const age = tokens ? now().getTime() - tokens.issuedAt.getTime() : Infinity;
      if (age < FRESH_TOKEN_GRACE_MS)
        return { code: "retry_later", retryAfterMs: 30_000, ...detail };
      return { code: "needs_relink", ...detail };
    }
    if (failure.status === 403) {
      // Granted but refused: the app is not approved for the product. Not granted: link again.
      const granted = tokens?.scopes.includes(MEMBER_POSTS_SCOPE) ?? false;
      return { code: granted ? "misconfigured" : "needs_relink", ...detail };
    }
    // Daily limits reset at 00:00 UTC, and LinkedIn sends no header saying so.
    if (failure.status === 429)
      return { code: "retry_later", retryAfterMs: untilUtcMidnightMs(now()), ...detail };
    if (failure.status === 404) return { code: "retry_later", itemNotFound: true, ...detail };
    if (failure.status >= 500) return { code: "retry_later", ...detail };
    return parsed.success ? { code: "misconfigured", ...detail } : undefined;
  };
}

/**
 * LinkedIn 3-legged OAuth (no PKCE for web apps; credentials in the form body). Without
 * partner approval there is no refresh token (re-link within 60 days) and no post reading
 * (`r_member_social`): `memberPosts` switches listing on once the app is approved.
 */
export function createLinkedInClient(config: LinkedInConfig, deps: ClientDeps): Provider {
  const { http, credentials, logger } = deps;
  const oauth = (path: string) => endpoint(config.urls.oauth, `/oauth/v2${path}`);
  const tokenClassify = linkedInClassifier(null, () => http.now());
  const restHeaders = (token: string) => ({
    ...bearer(token),
    "linkedin-version": config.apiVersion,
    "x-restli-protocol-version": "2.0.0",
  });

  async function token(form: Record<string, string>, what: string, secrets: string[]) {
    return http.json(
      {
        what,
        url: oauth("/accessToken"),
        form: { ...form, client_id: credentials.clientId, client_secret: credentials.clientSecret },
        secrets: [...secrets, credentials.clientSecret],
      },
      OAuthTokenResponse,
      tokenClassify,
    );
  }

  function toTokens(body: OAuthTokenResponse, now: Date, previous?: TokenSet): TokenSet {
    const next = tokenSetFrom({
      accessToken: body.access_token,
      refreshToken: body.refresh_token ?? previous?.refreshToken,
      expiresIn: body.expires_in,
      defaultExpiresIn: 60 * 24 * 3600,
      refreshExpiresIn: body.refresh_token_expires_in,
      scopes: body.scope ? splitScopes(body.scope) : (previous?.scopes ?? []),
      now,
    });
    // The refresh token's life is fixed from the first consent: keep its end if not restated.
    if (!next.refreshExpiresAt && previous?.refreshExpiresAt)
      next.refreshExpiresAt = previous.refreshExpiresAt;
    return next;
  }

  function child(urn: string): MediaItem | null {
    if (urn.startsWith("urn:li:image:"))
      return mediaItem({ id: urn, kind: "image", download: { urn } });
    if (urn.startsWith("urn:li:video:"))
      return mediaItem({ id: urn, kind: "video", download: { urn } });
    return null;
  }

  function toItem(post: z.output<typeof Post>): MediaItem {
    const urns = [
      ...(post.content?.media ? [post.content.media.id] : []),
      ...(post.content?.multiImage?.images.map((image) => image.id) ?? []),
    ];
    return mediaItem({
      id: post.id,
      kind: "post",
      takenAt: parseProviderTime(post.publishedAt ?? post.createdAt),
      caption: post.commentary ?? null,
      permalink: `https://www.linkedin.com/feed/update/${encodeURIComponent(post.id)}/`,
      children: urns.map(child).filter((c): c is MediaItem => c !== null),
    });
  }

  const missing = (tokens: TokenSet) =>
    config.memberPosts ? missingScopes(tokens.scopes, [MEMBER_POSTS_SCOPE]) : [];

  return {
    id: "linkedin",
    usesPkce: false,
    refreshStyle: "reusable",
    scopes: config.scopes,

    authorizeUrl({ state, redirectUri }) {
      return endpoint(config.urls.oauth, "/oauth/v2/authorization", {
        response_type: "code",
        client_id: credentials.clientId,
        redirect_uri: redirectUri,
        state,
        scope: config.scopes.join(" "),
      });
    },

    async exchangeCode({ code, redirectUri }) {
      const now = http.now();
      const body = await token(
        { grant_type: "authorization_code", code, redirect_uri: redirectUri },
        "code exchange",
        [code],
      );
      return toTokens(body, now);
    },

    canRefresh(tokens, now = http.now()) {
      return (
        Boolean(tokens.refreshToken) && !(tokens.refreshExpiresAt && tokens.refreshExpiresAt <= now)
      );
    },

    async refresh(tokens) {
      if (!tokens.refreshToken) {
        // Only approved partners get refresh tokens; everyone else links again before expiry.
        throw http.error("needs_relink", "linkedin grant has no refresh token: link again");
      }
      const now = http.now();
      const body = await token(
        { grant_type: "refresh_token", refresh_token: tokens.refreshToken },
        "token refresh",
        [tokens.refreshToken],
      );
      return toTokens(body, now, tokens);
    },

    async revoke(tokens) {
      // Best effort: the endpoint is what open-source clients call, not in LinkedIn's docs.
      try {
        await http.send(
          {
            what: "revoke",
            url: oauth("/revoke"),
            form: {
              token: tokens.accessToken,
              client_id: credentials.clientId,
              client_secret: credentials.clientSecret,
            },
            secrets: [tokens.accessToken, credentials.clientSecret],
          },
          tokenClassify,
        );
      } catch (error) {
        if (!isProviderError(error)) throw error;
        logger?.warn(
          { provider: "linkedin", err: error.toJSON() },
          "linkedin revoke failed; the stored tokens are deleted anyway",
        );
      }
    },

    missingScopes: missing,

    async profile(tokens) {
      const me = await http.json(
        {
          what: "profile",
          url: endpoint(config.urls.api, "/v2/userinfo"),
          headers: bearer(tokens.accessToken),
          secrets: [tokens.accessToken],
        },
        UserInfoResponse,
        linkedInClassifier(tokens, () => http.now()),
      );
      return {
        id: me.sub,
        handle: me.email ?? null,
        displayName: me.name ?? null,
        email: me.email ?? null,
        otherIds: { urn: `urn:li:person:${me.sub}` },
      };
    },

    async listMedia({ tokens, accountId }, cursor) {
      if (!config.memberPosts) {
        throw http.error(
          "misconfigured",
          "linkedin posts need r_member_social (partner approval); listing is off",
        );
      }
      if (missing(tokens).length)
        throw http.error("needs_relink", "linkedin grant lacks r_member_social");
      const start = cursor && /^\d+$/.test(cursor) ? Number(cursor) : 0;
      const count = config.pageSize;
      const page = await http.json(
        {
          what: "post listing",
          url: endpoint(config.urls.api, "/rest/posts", {
            author: `urn:li:person:${accountId}`,
            q: "author",
            count,
            start,
            sortBy: "LAST_MODIFIED",
          }),
          headers: restHeaders(tokens.accessToken),
          secrets: [tokens.accessToken],
        },
        PostsResponse,
        linkedInClassifier(tokens, () => http.now()),
      );
      const total = page.paging?.total;
      // Offsets: go on while full pages come back (and the total, if given, is not reached).
      const more = page.elements.length >= count && (total === undefined || start + count < total);
      return { items: page.elements.map(toItem), nextCursor: more ? String(start + count) : null };
    },

    async download({ tokens }, item) {
      const { urn } = readDownloadRef(http, DownloadRefSchema, item);
      const kind = urn.startsWith("urn:li:video:") ? "videos" : "images";
      return downloadFromCdn(http, "media download", async () => {
        const asset = await http.json(
          {
            what: "media URL lookup",
            url: endpoint(config.urls.api, `/rest/${kind}/${encodeURIComponent(urn)}`),
            headers: restHeaders(tokens.accessToken),
            secrets: [tokens.accessToken],
          },
          MediaAssetResponse,
          linkedInClassifier(tokens, () => http.now()),
        );
        if (asset.status === "PROCESSING")
          throw http.error("retry_later", `linkedin ${urn} is still processing`);
        if (asset.status === "FAILED" || !asset.downloadUrl) {
          throw http.error("retry_later", `linkedin ${urn} has nothing to download`, {
            itemNotFound: true,
          });
        }
        return asset.downloadUrl;
      });
    },
  };
}
