import type { ClientDeps } from "../client-deps";
import { mapLimit } from "../concurrency";
import type { MicrosoftConfig } from "../config";
import { downloadFrom } from "../download";
import type { Classification, Classifier, HttpFailure } from "../http/client";
import { kindFromMime, mediaItem, readDownloadRef } from "../media-item";
import { classifyOAuthError } from "../oauth/errors";
import { missingScopes, splitScopes } from "../oauth/scopes";
import { tokenSetFrom } from "../oauth/token-set";
import type { MediaItem, Provider, TokenSet } from "../provider";
import { OAuthTokenResponse } from "../schemas-common";
import { parseProviderTime } from "../time";
import { bearer, endpoint, isUnder } from "../url";
import {
  AttachmentsResponse,
  DownloadRefSchema,
  GraphErrorBody,
  MeResponse,
  MessagesResponse,
} from "./schemas";

const ACCESS_DENIED = new Set(["ErrorAccessDenied", "Authorization_RequestDenied", "AccessDenied"]);

/** Microsoft Graph errors (the token endpoint's are OAuth errors with `error_codes`). */
export function classifyMicrosoftError(failure: HttpFailure): Classification | undefined {
  const oauth = classifyOAuthError(failure);
  if (oauth) return oauth;
  const parsed = GraphErrorBody.safeParse(failure.body);
  if (!parsed.success) return undefined;
  const { code, message } = parsed.data.error;
  const detail = { providerCode: code, providerMessage: message };
  if (failure.status === 401) return { code: "needs_relink", ...detail };
  if (failure.status === 403 && code && ACCESS_DENIED.has(code))
    return { code: "needs_relink", ...detail };
  if (failure.status === 404) return { code: "retry_later", itemNotFound: true, ...detail };
  // ApplicationThrottled (MailboxConcurrency), TooManyRequests, 503/504 with Retry-After.
  if (failure.status === 429 || failure.status >= 500) return { code: "retry_later", ...detail };
  return { code: "misconfigured", ...detail };
}

/** Scopes may come back as full URIs (`https://graph.microsoft.com/Mail.Read`). */
const bareScope = (scope: string) =>
  scope.replace(/^https:\/\/graph\.microsoft\.com\//i, "").toLowerCase();

/** Graph calls name each message's attachments; never more than 4 at once per mailbox. */
const MAILBOX_CONCURRENCY = 4;

/**
 * Outlook mail through the Microsoft identity platform v2.0 and Graph. PKCE S256;
 * `offline_access` brings a refresh token, which rotates (store the new one). There is no
 * per-grant revoke: unlinking deletes the tokens.
 */
export function createMicrosoftClient(config: MicrosoftConfig, deps: ClientDeps): Provider {
  const { http, credentials } = deps;
  const classify: Classifier = classifyMicrosoftError;
  const login = (path: string) =>
    endpoint(config.urls.login, `/${encodeURIComponent(config.tenant)}/oauth2/v2.0${path}`);
  /** Immutable ids: otherwise a message's id changes when it moves between folders. */
  const graphHeaders = (token: string) => ({ ...bearer(token), prefer: 'IdType="ImmutableId"' });

  async function token(form: Record<string, string>, what: string, secrets: string[]) {
    return http.json(
      {
        what,
        url: login("/token"),
        form: {
          ...form,
          client_id: credentials.clientId,
          client_secret: credentials.clientSecret,
          scope: config.scopes.join(" "),
        },
        secrets: [...secrets, credentials.clientSecret],
      },
      OAuthTokenResponse,
      classify,
    );
  }

  function toTokens(body: OAuthTokenResponse, now: Date, previous?: TokenSet): TokenSet {
    return tokenSetFrom({
      accessToken: body.access_token,
      // Rotation: a new refresh token each time; keep the old only if none came back.
      refreshToken: body.refresh_token ?? previous?.refreshToken,
      // Random between 60 and 90 minutes: always use what came back.
      expiresIn: body.expires_in,
      defaultExpiresIn: 3600,
      scopes: body.scope ? splitScopes(body.scope) : (previous?.scopes ?? []),
      now,
    });
  }

  const missing = (tokens: TokenSet) => missingScopes(tokens.scopes, ["Mail.Read"], bareScope);

  return {
    id: "microsoft",
    usesPkce: true,
    refreshStyle: "rotating",
    scopes: config.scopes,

    authorizeUrl({ state, codeChallenge, redirectUri }) {
      if (!codeChallenge)
        throw http.error("misconfigured", "microsoft linking needs a PKCE code challenge");
      return endpoint(
        config.urls.login,
        `/${encodeURIComponent(config.tenant)}/oauth2/v2.0/authorize`,
        {
          client_id: credentials.clientId,
          response_type: "code",
          redirect_uri: redirectUri,
          response_mode: "query",
          scope: config.scopes.join(" "),
          state,
          code_challenge: codeChallenge,
          code_challenge_method: "S256",
        },
      );
    },

    async exchangeCode({ code, codeVerifier, redirectUri }) {
      if (!codeVerifier)
        throw http.error("misconfigured", "microsoft linking needs the PKCE code verifier");
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
      return toTokens(body, now);
    },

    canRefresh(tokens) {
      return Boolean(tokens.refreshToken);
    },

    async refresh(tokens) {
      if (!tokens.refreshToken)
        throw http.error("needs_relink", "microsoft grant has no refresh token");
      const now = http.now();
      const body = await token(
        { grant_type: "refresh_token", refresh_token: tokens.refreshToken },
        "token refresh",
        [tokens.refreshToken],
      );
      return toTokens(body, now, tokens);
    },

    missingScopes: missing,

    async profile(tokens) {
      const me = await http.json(
        {
          what: "profile",
          url: endpoint(config.urls.graph, "/v1.0/me", {
            $select: "id,displayName,mail,userPrincipalName",
          }),
          headers: graphHeaders(tokens.accessToken),
          secrets: [tokens.accessToken],
        },
        MeResponse,
        classify,
      );
      const email = me.mail ?? me.userPrincipalName ?? null;
      return { id: me.id, handle: email, displayName: me.displayName ?? null, email, otherIds: {} };
    },

    async listMedia({ tokens }, cursor) {
      const lacking = missing(tokens);
      if (lacking.length) throw http.error("needs_relink", "microsoft grant lacks Mail.Read");
      let url: URL;
      if (cursor) {
        // @odata.nextLink is followed as given, but only to our Graph host: the bearer token
        // goes with it.
        url = new URL(cursor);
        if (!isUnder(url, config.urls.graph)) {
          throw http.error("misconfigured", "microsoft listing cursor points outside Graph");
        }
      } else {
        url = endpoint(config.urls.graph, "/v1.0/me/messages", {
          $filter: "hasAttachments eq true",
          $select: "id,subject,receivedDateTime,hasAttachments",
          $top: config.pageSize,
        });
      }
      const page = await http.json(
        {
          what: "message listing",
          url,
          headers: graphHeaders(tokens.accessToken),
          secrets: [tokens.accessToken],
        },
        MessagesResponse,
        classify,
      );
      const perMessage = await mapLimit(page.value, MAILBOX_CONCURRENCY, async (message) => {
        const attachments = await http
          .json(
            {
              what: "attachment listing",
              url: endpoint(
                config.urls.graph,
                `/v1.0/me/messages/${encodeURIComponent(message.id)}/attachments`,
                {
                  $select: "id,name,contentType,size,isInline,lastModifiedDateTime",
                },
              ),
              headers: graphHeaders(tokens.accessToken),
              secrets: [tokens.accessToken],
            },
            AttachmentsResponse,
            classify,
          )
          .catch((error: unknown) => {
            // The message went away between the two calls: skip it.
            if (error instanceof Error && "itemNotFound" in error && error.itemNotFound === true)
              return { value: [] };
            throw error;
          });
        return attachments.value.flatMap((attachment): MediaItem[] => {
          const type = attachment["@odata.type"] ?? "#microsoft.graph.fileAttachment";
          // Cloud links have no bytes; inline images are signatures and logos.
          if (type.endsWith("referenceAttachment") || attachment.isInline) return [];
          const isItem = type.endsWith("itemAttachment");
          const mimeType = isItem ? "message/rfc822" : (attachment.contentType ?? null);
          return [
            mediaItem({
              id: `${message.id}:${attachment.id}`,
              kind: isItem ? "document" : kindFromMime(mimeType),
              takenAt: parseProviderTime(message.receivedDateTime),
              caption: message.subject ?? null,
              mimeType,
              size: attachment.size ?? null,
              filename: attachment.name ?? null,
              download: { messageId: message.id, attachmentId: attachment.id },
            }),
          ];
        });
      });
      return { items: perMessage.flat(), nextCursor: page["@odata.nextLink"] ?? null };
    },

    async download({ tokens }, item) {
      const { messageId, attachmentId } = readDownloadRef(http, DownloadRefSchema, item);
      const response = await http.send(
        {
          what: "attachment download",
          url: endpoint(
            config.urls.graph,
            `/v1.0/me/messages/${encodeURIComponent(messageId)}/attachments/${encodeURIComponent(attachmentId)}/$value`,
          ),
          headers: { ...graphHeaders(tokens.accessToken), accept: "*/*" },
          secrets: [tokens.accessToken],
        },
        classify,
      );
      return downloadFrom(http, response, "attachment download");
    },
  };
}
