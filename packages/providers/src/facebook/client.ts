import { createHmac } from "node:crypto";

import type { z } from "zod";

import { downloadFromCdn } from "../cdn";
import type { ClientDeps } from "../client-deps";
import type { FacebookConfig, FacebookEdge } from "../config";
import { isProviderError } from "../errors";
import type { Classifier } from "../http/client";
import { mediaItem, readDownloadRef } from "../media-item";
import { classifyGraphError } from "../meta/graph-errors";
import { nextAfter } from "../meta/paging";
import { missingScopes } from "../oauth/scopes";
import { tokenSetFrom } from "../oauth/token-set";
import type { MediaItem, MediaPage, Provider, TokenSet } from "../provider";
import { parseProviderTime } from "../time";
import { bearer, endpoint } from "../url";
import {
  type Attachment,
  DownloadRefSchema,
  NodeImages,
  NodeSource,
  PermissionsResponse,
  Photo,
  Post,
  ProfileResponse,
  SuccessResponse,
  TokenResponse,
  Video,
  page,
} from "./schemas";

/** Web-flow tokens are short-lived (1–2 h); assume the shorter when expires_in is missing. */
const SHORT_LIVED_SECONDS = 3600;

const EDGE_QUERY: Record<FacebookEdge, Record<string, string>> = {
  photos: {
    type: "uploaded",
    fields: "id,created_time,name,link,album{id,name},images,width,height",
  },
  videos: {
    type: "uploaded",
    fields: "id,created_time,updated_time,description,source,length,picture,permalink_url",
  },
  posts: {
    fields:
      "id,created_time,message,permalink_url,full_picture,attachments{media_type,type,media,url,target,subattachments}",
  },
};

/** The permission each edge needs. */
const EDGE_SCOPE: Record<FacebookEdge, string> = {
  photos: "user_photos",
  videos: "user_videos",
  posts: "user_posts",
};

/**
 * Facebook Login (manual flow) and the Graph API. No refresh token: a short-lived token is
 * exchanged for a ~60-day one (`exchangeLongLived`), and when that runs out the user links
 * again. Revoking deletes the app's permissions.
 */
export function createFacebookClient(config: FacebookConfig, deps: ClientDeps): Provider {
  const { http, credentials, logger } = deps;
  const classify: Classifier = classifyGraphError;

  /** Graph calls with a user token: the token in a header, signed when the app requires it. */
  function graph(
    path: string,
    accessToken: string,
    query: Record<string, string | undefined> = {},
  ) {
    const proof = config.appSecretProof
      ? createHmac("sha256", credentials.clientSecret).update(accessToken).digest("hex")
      : undefined;
    return {
      url: endpoint(config.urls.graph, `/${config.graphVersion}${path}`, {
        ...query,
        appsecret_proof: proof,
      }),
      headers: bearer(accessToken),
      secrets: [accessToken, credentials.clientSecret],
    };
  }

  async function grantedScopes(accessToken: string): Promise<string[]> {
    const permissions = await http.json(
      { what: "permission check", ...graph("/me/permissions", accessToken) },
      PermissionsResponse,
      classify,
    );
    return permissions.data.filter((p) => p.status === "granted").map((p) => p.permission);
  }

  async function tokenCall(
    query: Record<string, string | undefined>,
    what: string,
    secrets: string[],
  ) {
    const now = http.now();
    const body = await http.json(
      {
        what,
        url: endpoint(config.urls.graph, `/${config.graphVersion}/oauth/access_token`, query),
        secrets: [...secrets, credentials.clientSecret],
      },
      TokenResponse,
      classify,
    );
    return { body, now };
  }

  function photoItem(photo: z.output<typeof Photo>): MediaItem {
    const widest = [...(photo.images ?? [])].sort((a, b) => (b.width ?? 0) - (a.width ?? 0))[0];
    return mediaItem({
      id: photo.id,
      kind: "image",
      takenAt: parseProviderTime(photo.created_time),
      caption: photo.name ?? null,
      permalink: photo.link ?? null,
      width: widest?.width ?? photo.width ?? null,
      height: widest?.height ?? photo.height ?? null,
      download: { nodeId: photo.id, type: "photo" },
    });
  }

  function videoItem(video: z.output<typeof Video>): MediaItem {
    return mediaItem({
      id: video.id,
      kind: "video",
      takenAt: parseProviderTime(video.created_time),
      caption: video.description ?? null,
      permalink: video.permalink_url ?? null,
      durationMs: video.length === undefined ? null : Math.round(video.length * 1000),
      download: { nodeId: video.id, type: "video" },
    });
  }

  function attachmentChildren(postId: string, attachments: z.output<typeof Attachment>[]) {
    const parts = attachments.flatMap((a) => (a.subattachments ? a.subattachments.data : [a]));
    const children: MediaItem[] = [];
    parts.forEach((part, index) => {
      const type = part.media_type === "video" || part.type?.includes("video") ? "video" : "photo";
      const hasMedia = part.media?.image?.src ?? part.media?.source;
      if (
        !hasMedia ||
        (part.media_type && !["photo", "video", "album"].includes(part.media_type))
      ) {
        return;
      }
      const nodeId = part.target?.id;
      // The node id is also the photo's or video's own id, so a re-import dedupes them.
      children.push(
        mediaItem({
          id: nodeId ?? `${postId}:${index}`,
          kind: type === "video" ? "video" : "image",
          download: nodeId
            ? { nodeId, type }
            : { url: (type === "video" ? part.media?.source : part.media?.image?.src) ?? "" },
        }),
      );
    });
    return children;
  }

  function postItem(post: z.output<typeof Post>): MediaItem {
    return mediaItem({
      id: post.id,
      kind: "post",
      takenAt: parseProviderTime(post.created_time),
      caption: post.message ?? null,
      permalink: post.permalink_url ?? null,
      children: attachmentChildren(post.id, post.attachments?.data ?? []),
    });
  }

  async function listEdge(edge: FacebookEdge, accessToken: string, after: string | undefined) {
    const request = {
      what: `${edge} listing`,
      ...graph(`/me/${edge}`, accessToken, {
        ...EDGE_QUERY[edge],
        limit: String(config.pageSize),
        after,
      }),
    };
    switch (edge) {
      case "photos": {
        const body = await http.json(request, page(Photo), classify);
        return { items: body.data.map(photoItem), after: nextAfter(body.paging) };
      }
      case "videos": {
        const body = await http.json(request, page(Video), classify);
        return { items: body.data.map(videoItem), after: nextAfter(body.paging) };
      }
      case "posts": {
        const body = await http.json(request, page(Post), classify);
        return { items: body.data.map(postItem), after: nextAfter(body.paging) };
      }
    }
  }

  /** Cursor: `<edge>:<after>`, walking the configured edges in order. */
  function readCursor(cursor: string | null | undefined): { edge: FacebookEdge; after?: string } {
    const first = config.edges[0];
    if (!first) throw http.error("misconfigured", "facebook has no edges configured to list");
    if (!cursor) return { edge: first };
    const split = cursor.indexOf(":");
    const edge = cursor.slice(0, split) as FacebookEdge;
    if (split === -1 || !config.edges.includes(edge)) {
      throw http.error("misconfigured", "facebook listing cursor is not one of ours");
    }
    const after = cursor.slice(split + 1);
    return after ? { edge, after } : { edge };
  }

  const missing = (tokens: TokenSet) =>
    missingScopes(
      tokens.scopes,
      config.edges.map((e) => EDGE_SCOPE[e]),
    );

  return {
    id: "facebook",
    usesPkce: config.pkce,
    refreshStyle: "none",
    scopes: config.scopes,

    authorizeUrl({ state, codeChallenge, redirectUri }) {
      if (config.pkce && !codeChallenge) {
        throw http.error("misconfigured", "facebook PKCE flow needs a code challenge");
      }
      const scopes = config.pkce ? ["openid", ...config.scopes] : config.scopes;
      return endpoint(config.urls.dialog, `/${config.graphVersion}/dialog/oauth`, {
        client_id: credentials.clientId,
        redirect_uri: redirectUri,
        state,
        response_type: "code",
        scope: scopes.join(","),
        ...(config.pkce
          ? { code_challenge: codeChallenge, code_challenge_method: "S256", nonce: state }
          : {}),
      });
    },

    async exchangeCode({ code, codeVerifier, redirectUri }) {
      const cleanCode = code.replace(/#_=_$/, "");
      const { body, now } = await tokenCall(
        {
          client_id: credentials.clientId,
          redirect_uri: redirectUri,
          client_secret: credentials.clientSecret,
          code: cleanCode,
          code_verifier: config.pkce ? codeVerifier : undefined,
        },
        "code exchange",
        [cleanCode, codeVerifier ?? ""],
      );
      return tokenSetFrom({
        accessToken: body.access_token,
        expiresIn: body.expires_in,
        defaultExpiresIn: SHORT_LIVED_SECONDS,
        // Declined permissions are not in the token response: ask.
        scopes: await grantedScopes(body.access_token),
        now,
      });
    },

    async exchangeLongLived(tokens) {
      const { body, now } = await tokenCall(
        {
          grant_type: "fb_exchange_token",
          client_id: credentials.clientId,
          client_secret: credentials.clientSecret,
          fb_exchange_token: tokens.accessToken,
        },
        "long-lived token exchange",
        [tokens.accessToken],
      );
      return tokenSetFrom({
        accessToken: body.access_token,
        expiresIn: body.expires_in,
        defaultExpiresIn: null,
        scopes: tokens.scopes,
        now,
      });
    },

    canRefresh() {
      return false;
    },

    async revoke(tokens) {
      try {
        await http.json(
          { what: "revoke", method: "DELETE", ...graph("/me/permissions", tokens.accessToken) },
          SuccessResponse,
          classify,
        );
      } catch (error) {
        // 190: the token is already dead, so is the grant.
        if (!(isProviderError(error) && error.code === "needs_relink")) throw error;
      }
    },

    missingScopes: missing,

    async profile(tokens) {
      const me = await http.json(
        { what: "profile", ...graph("/me", tokens.accessToken, { fields: "id,name" }) },
        ProfileResponse,
        classify,
      );
      // An app-scoped id: it differs between Meta apps.
      return {
        id: me.id,
        handle: null,
        displayName: me.name ?? null,
        email: me.email ?? null,
        otherIds: {},
      };
    },

    async listMedia({ tokens }, cursor): Promise<MediaPage> {
      const { edge, after } = readCursor(cursor);
      const next = config.edges[config.edges.indexOf(edge) + 1];
      const onward = next ? `${next}:` : null;
      if (tokens.scopes.length && !tokens.scopes.includes(EDGE_SCOPE[edge])) {
        // A declined edge permission: skip it; a missing read scope overall is needs_relink.
        if (missing(tokens).length === config.edges.length) {
          throw http.error("needs_relink", "facebook grant allows reading no media");
        }
        return { items: [], nextCursor: onward };
      }
      try {
        const result = await listEdge(edge, tokens.accessToken, after);
        return {
          items: result.items,
          nextCursor: result.after ? `${edge}:${result.after}` : onward,
        };
      } catch (error) {
        // Whether /me/videos can still be read is disputed between Meta's own pages: if this
        // Graph version refuses it as a request error, import the rest rather than fail.
        if (edge === "videos" && isProviderError(error) && error.code === "misconfigured") {
          logger?.warn(
            { provider: "facebook", err: error.toJSON() },
            "facebook videos edge refused; skipped",
          );
          return { items: [], nextCursor: onward };
        }
        throw error;
      }
    },

    async download({ tokens }, item) {
      const ref = readDownloadRef(http, DownloadRefSchema, item);
      return downloadFromCdn(http, "media download", async () => {
        if ("url" in ref) return ref.url;
        if (ref.type === "video") {
          const node = await http.json(
            {
              what: "video URL lookup",
              ...graph(`/${encodeURIComponent(ref.nodeId)}`, tokens.accessToken, {
                fields: "source",
              }),
            },
            NodeSource,
            classify,
          );
          if (node.source) return node.source;
        } else {
          const node = await http.json(
            {
              what: "photo URL lookup",
              ...graph(`/${encodeURIComponent(ref.nodeId)}`, tokens.accessToken, {
                fields: "images",
              }),
            },
            NodeImages,
            classify,
          );
          const widest = [...(node.images ?? [])].sort(
            (a, b) => (b.width ?? 0) - (a.width ?? 0),
          )[0];
          if (widest) return widest.source;
        }
        throw http.error("retry_later", `facebook ${ref.type} ${ref.nodeId} has no URL`, {
          itemNotFound: true,
        });
      });
    },
  };
}
