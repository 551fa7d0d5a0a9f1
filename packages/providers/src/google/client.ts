import type { z } from "zod";

import type { ClientDeps } from "../client-deps";
import { mapLimit } from "../concurrency";
import type { GoogleConfig } from "../config";
import { isProviderError } from "../errors";
import type { Classification, Classifier, HttpFailure } from "../http/client";
import { kindFromMime, mediaItem, readDownloadRef } from "../media-item";
import { classifyOAuthError } from "../oauth/errors";
import { missingScopes, splitScopes } from "../oauth/scopes";
import { tokenSetFrom } from "../oauth/token-set";
import { nodeStream } from "../download";
import type { MediaItem, Provider, TokenSet } from "../provider";
import { OAuthTokenResponse } from "../schemas-common";
import { parseProviderTime } from "../time";
import { bearer, endpoint } from "../url";
import { gmailAttachmentDecoder } from "./attachment-stream";
import {
  ApiErrorBody,
  DownloadRefSchema,
  MessageListResponse,
  MessageResponse,
  UserInfoResponse,
  type MessagePart,
} from "./schemas";
import { Readable } from "node:stream";

export const GMAIL_READ_SCOPE = "https://www.googleapis.com/auth/gmail.readonly";

const SCOPE_REASONS = new Set(["insufficientPermissions", "ACCESS_TOKEN_SCOPE_INSUFFICIENT"]);
const CONFIG_REASONS = new Set([
  "accessNotConfigured",
  "SERVICE_DISABLED",
  "API_KEY_SERVICE_BLOCKED",
]);
const RATE_REASONS = new Set([
  "userRateLimitExceeded",
  "rateLimitExceeded",
  "dailyLimitExceeded",
  "quotaExceeded",
  "RATE_LIMIT_EXCEEDED",
]);

/** Google's API errors; note that Google signals rate limits with 403 as well as 429. */
export function classifyGoogleError(failure: HttpFailure): Classification | undefined {
  const oauth = classifyOAuthError(failure);
  if (oauth) return oauth;
  const parsed = ApiErrorBody.safeParse(failure.body);
  if (!parsed.success) return undefined;
  const { error } = parsed.data;
  const reasons = [
    ...(error.errors ?? []).map((e) => e.reason),
    ...(error.details ?? []).map((d) => d.reason),
  ].filter((r): r is string => Boolean(r));
  const domains = (error.errors ?? []).map((e) => e.domain);
  const detail = {
    providerCode:
      reasons[0] ?? error.status ?? (error.code === undefined ? undefined : String(error.code)),
    providerMessage: error.message,
  };
  if (failure.status === 401) return { code: "needs_relink", ...detail };
  if (failure.status === 403) {
    if (reasons.some((r) => SCOPE_REASONS.has(r))) return { code: "needs_relink", ...detail };
    // Shares the usageLimits domain with the rate limits, so the reason goes first.
    if (reasons.some((r) => CONFIG_REASONS.has(r))) return { code: "misconfigured", ...detail };
    if (domains.includes("usageLimits") || reasons.some((r) => RATE_REASONS.has(r))) {
      return { code: "retry_later", ...detail };
    }
    // accessNotConfigured / SERVICE_DISABLED: the Gmail API is off for our project.
    return { code: "misconfigured", ...detail };
  }
  if (failure.status === 404) return { code: "retry_later", itemNotFound: true, ...detail };
  if (failure.status === 429 || failure.status >= 500) return { code: "retry_later", ...detail };
  return { code: "misconfigured", ...detail };
}

/** Every attachment part, depth first (parts nest). Inline images (signatures, logos) are left out. */
export function attachmentParts(part: MessagePart | undefined): MessagePart[] {
  if (!part) return [];
  const own: MessagePart[] = [];
  const header = (name: string) =>
    part.headers?.find((h) => h.name.toLowerCase() === name)?.value.toLowerCase() ?? "";
  const disposition = header("content-disposition");
  const inline =
    disposition.startsWith("inline") ||
    (!disposition.startsWith("attachment") && header("content-id") !== "");
  if (part.filename && (part.body?.attachmentId || part.body?.data) && !inline) own.push(part);
  return [...own, ...(part.parts ?? []).flatMap(attachmentParts)];
}

function findPart(part: MessagePart | undefined, partId: string): MessagePart | undefined {
  if (!part) return undefined;
  if ((part.partId ?? "") === partId) return part;
  for (const child of part.parts ?? []) {
    const found = findPart(child, partId);
    if (found) return found;
  }
  return undefined;
}

/**
 * Gmail through Google OAuth (PKCE S256, offline access). The refresh token does not rotate;
 * Google sends one only on consent, hence `prompt=consent` on every link. Attachments are
 * items keyed `<message id>:<part id>`: attachment ids are not stable between fetches.
 */
export function createGoogleClient(config: GoogleConfig, deps: ClientDeps): Provider {
  const { http, credentials } = deps;
  const classify: Classifier = classifyGoogleError;
  const gmail = (path: string, query?: Record<string, string | number | undefined>) =>
    endpoint(config.urls.gmail, `/gmail/v1/users/me${path}`, query);

  async function token(form: Record<string, string>, what: string, secrets: string[]) {
    return http.json(
      {
        what,
        url: endpoint(config.urls.token, "/token"),
        form: { ...form, client_id: credentials.clientId, client_secret: credentials.clientSecret },
        secrets: [...secrets, credentials.clientSecret],
      },
      OAuthTokenResponse,
      classify,
    );
  }

  async function message(accessToken: string, id: string) {
    return http.json(
      {
        what: "message fetch",
        url: gmail(`/messages/${encodeURIComponent(id)}`, { format: "full" }),
        headers: bearer(accessToken),
        secrets: [accessToken],
      },
      MessageResponse,
      classify,
    );
  }

  function toItems(msg: z.output<typeof MessageResponse>): MediaItem[] {
    const subject =
      msg.payload?.headers?.find((h) => h.name.toLowerCase() === "subject")?.value ?? null;
    return attachmentParts(msg.payload).map((part) =>
      mediaItem({
        id: `${msg.id}:${part.partId ?? ""}`,
        kind: kindFromMime(part.mimeType),
        takenAt: parseProviderTime(msg.internalDate),
        caption: subject,
        mimeType: part.mimeType ?? null,
        size: part.body?.size ?? null,
        filename: part.filename ?? null,
        download: { messageId: msg.id, partId: part.partId ?? "" },
      }),
    );
  }

  const missing = (tokens: TokenSet) => missingScopes(tokens.scopes, [GMAIL_READ_SCOPE]);

  return {
    id: "google",
    usesPkce: true,
    refreshStyle: "reusable",
    scopes: config.scopes,

    authorizeUrl({ state, codeChallenge, redirectUri }) {
      if (!codeChallenge)
        throw http.error("misconfigured", "google linking needs a PKCE code challenge");
      return endpoint(config.urls.authorize, "/o/oauth2/v2/auth", {
        client_id: credentials.clientId,
        redirect_uri: redirectUri,
        response_type: "code",
        scope: config.scopes.join(" "),
        state,
        // A refresh token comes only with offline access, and only on consent: a re-link
        // of an existing grant without prompt=consent would get none.
        access_type: "offline",
        prompt: "consent",
        include_granted_scopes: "true",
        code_challenge: codeChallenge,
        code_challenge_method: "S256",
      });
    },

    async exchangeCode({ code, codeVerifier, redirectUri }) {
      if (!codeVerifier)
        throw http.error("misconfigured", "google linking needs the PKCE code verifier");
      const now = http.now();
      const body = await token(
        {
          code,
          redirect_uri: redirectUri,
          grant_type: "authorization_code",
          code_verifier: codeVerifier,
        },
        "code exchange",
        [code, codeVerifier],
      );
      return tokenSetFrom({
        accessToken: body.access_token,
        refreshToken: body.refresh_token,
        expiresIn: body.expires_in,
        defaultExpiresIn: 3600,
        refreshExpiresIn: body.refresh_token_expires_in,
        scopes: splitScopes(body.scope),
        now,
      });
    },

    canRefresh(tokens, now = http.now()) {
      return (
        Boolean(tokens.refreshToken) && !(tokens.refreshExpiresAt && tokens.refreshExpiresAt <= now)
      );
    },

    async refresh(tokens) {
      if (!tokens.refreshToken)
        throw http.error("needs_relink", "google grant has no refresh token");
      const now = http.now();
      const body = await token(
        { grant_type: "refresh_token", refresh_token: tokens.refreshToken },
        "token refresh",
        [tokens.refreshToken],
      );
      const next = tokenSetFrom({
        accessToken: body.access_token,
        // No rotation: keep the stored refresh token unless Google sends another.
        refreshToken: body.refresh_token ?? tokens.refreshToken,
        expiresIn: body.expires_in,
        defaultExpiresIn: 3600,
        refreshExpiresIn: body.refresh_token_expires_in,
        scopes: body.scope ? splitScopes(body.scope) : tokens.scopes,
        now,
      });
      if (!next.refreshExpiresAt && tokens.refreshExpiresAt && !body.refresh_token) {
        next.refreshExpiresAt = tokens.refreshExpiresAt;
      }
      return next;
    },

    async revoke(tokens) {
      // Revoking the refresh token ends the whole grant.
      const value = tokens.refreshToken ?? tokens.accessToken;
      try {
        await http.send(
          {
            what: "revoke",
            url: endpoint(config.urls.token, "/revoke"),
            form: { token: value },
            secrets: [value],
          },
          classify,
        );
      } catch (error) {
        // invalid_token: already expired or revoked.
        if (!(isProviderError(error) && error.code === "needs_relink")) throw error;
      }
    },

    missingScopes: missing,

    async profile(tokens) {
      const me = await http.json(
        {
          what: "profile",
          url: endpoint(config.urls.userinfo, "/v1/userinfo"),
          headers: bearer(tokens.accessToken),
          secrets: [tokens.accessToken],
        },
        UserInfoResponse,
        classify,
      );
      return {
        id: me.sub,
        handle: me.email ?? null,
        displayName: me.name ?? null,
        email: me.email ?? null,
        otherIds: {},
      };
    },

    async listMedia({ tokens }, cursor) {
      const lacking = missing(tokens);
      if (lacking.length) throw http.error("needs_relink", "google grant lacks Gmail read access");
      const list = await http.json(
        {
          what: "message listing",
          url: gmail("/messages", {
            q: config.query,
            maxResults: Math.min(500, config.pageSize),
            pageToken: cursor ?? undefined,
          }),
          headers: bearer(tokens.accessToken),
          secrets: [tokens.accessToken],
        },
        MessageListResponse,
        classify,
      );
      const messages = await mapLimit(list.messages ?? [], 5, async ({ id }) => {
        try {
          return await message(tokens.accessToken, id);
        } catch (error) {
          // Deleted between the listing and the fetch: nothing to import.
          if (isProviderError(error) && error.itemNotFound) return null;
          throw error;
        }
      });
      return {
        items: messages.flatMap((msg) => (msg ? toItems(msg) : [])),
        nextCursor: list.nextPageToken ?? null,
      };
    },

    async download({ tokens }, item) {
      const { messageId, partId } = readDownloadRef(http, DownloadRefSchema, item);
      // Attachment ids change between fetches: read the message again for the current one.
      const msg = await message(tokens.accessToken, messageId);
      const part = findPart(msg.payload, partId);
      if (!part?.body) {
        throw http.error("retry_later", `google message ${messageId} has no part ${partId}`, {
          itemNotFound: true,
        });
      }
      const size = part.body.size ?? null;
      const fail = (message: string, providerCode?: string) =>
        http.error(
          "retry_later",
          `google attachment download: ${message}`,
          providerCode ? { providerCode } : {},
        );
      if (!part.body.attachmentId) {
        // A small part carries its bytes inline.
        const bytes = Buffer.from(part.body.data ?? "", "base64url");
        if (size !== null && bytes.length !== size)
          throw fail(
            `decoded ${bytes.length} bytes where ${size} were promised`,
            "length_mismatch",
          );
        return { stream: Readable.from([bytes]), contentType: part.mimeType ?? null, size };
      }
      const response = await http.send(
        {
          what: "attachment download",
          url: gmail(
            `/messages/${encodeURIComponent(messageId)}/attachments/${encodeURIComponent(part.body.attachmentId)}`,
          ),
          headers: bearer(tokens.accessToken),
          secrets: [tokens.accessToken],
        },
        classify,
      );
      const decoder = gmailAttachmentDecoder({ expectedSize: size, fail });
      const body = nodeStream(response);
      body.on("error", () => decoder.destroy(fail("the response was cut off")));
      return { stream: body.pipe(decoder), contentType: part.mimeType ?? null, size };
    },
  };
}
