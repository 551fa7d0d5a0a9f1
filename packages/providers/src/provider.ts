import type { Readable } from "node:stream";

/** The providers a user can link, in the order the product lists them. */
export const PROVIDER_IDS = [
  "instagram",
  "x",
  "facebook",
  "google",
  "microsoft",
  "linkedin",
] as const;

export type ProviderId = (typeof PROVIDER_IDS)[number];

export function isProviderId(value: string): value is ProviderId {
  return (PROVIDER_IDS as readonly string[]).includes(value);
}

/**
 * One grant's tokens, the same shape for every provider. Store all of it (the tokens
 * encrypted): `refresh` and the Instagram age rule read `issuedAt` and `expiresAt`.
 */
export interface TokenSet {
  accessToken: string;
  /** Absent where the provider issues none (Instagram, Facebook, most LinkedIn apps). */
  refreshToken?: string;
  /** When the access token stops working; null when the provider says it does not expire. */
  expiresAt: Date | null;
  /** Set only when the provider states it (Google in Testing mode, LinkedIn partners). */
  refreshExpiresAt?: Date;
  /**
   * What the user actually granted, as the provider spells it, split on commas and spaces.
   * Empty means the provider did not say (never "nothing granted").
   */
  scopes: string[];
  /** When these tokens were issued (or last refreshed): Instagram refreshes only after 24 h. */
  issuedAt: Date;
}

export interface AuthorizeUrlInput {
  /** Random, single-use, checked on the callback (CSRF). */
  state: string;
  /** S256 challenge of a verifier kept server-side; required when `usesPkce`. */
  codeChallenge?: string;
  redirectUri: string;
}

export interface ExchangeCodeInput {
  code: string;
  /** The PKCE verifier; required when `usesPkce`. */
  codeVerifier?: string;
  /** The same redirect URI the authorize URL carried. */
  redirectUri: string;
}

/** Who the tokens belong to at the provider. Every id is a string: several exceed 2^53. */
export interface ProviderProfile {
  /** The stable account id to key the link on (unique per provider). */
  id: string;
  /** @handle or e-mail-like login, for display. */
  handle: string | null;
  displayName: string | null;
  email: string | null;
  /** Other ids worth storing (e.g. Instagram's app-scoped id beside the account id). */
  otherIds: Record<string, string>;
}

/** What listing and downloading need: the tokens and the profile id from `profile()`. */
export interface AccountAccess {
  tokens: TokenSet;
  accountId: string;
}

export type MediaKind = "image" | "video" | "post" | "document";

/**
 * What `download` needs to fetch an item's bytes later: small strings only (ids, never
 * tokens), so it can sit in a database row or a job payload. Each provider reads its own keys.
 */
export type DownloadRef = Readonly<Record<string, string>>;

export interface MediaItem {
  /** The provider's id, unique within the linked account (mail: `<message id>:<part id>`). */
  id: string;
  kind: MediaKind;
  /** When it was taken or posted, normalised to a Date; null if the provider gives none. */
  takenAt: Date | null;
  /** A caption, a post's text, or a mail's subject. */
  caption: string | null;
  permalink: string | null;
  mimeType: string | null;
  /** Bytes as the provider advertises them (mail attachments), if it does. */
  size: number | null;
  filename: string | null;
  width: number | null;
  height: number | null;
  durationMs: number | null;
  /**
   * True when only a stand-in can be fetched (Instagram media with licensed audio has no
   * `media_url`, so the thumbnail is downloaded instead).
   */
  partial: boolean;
  /** The parts of a carousel, album or multi-image post; each downloads on its own. */
  children: MediaItem[];
  /** Null when there are no bytes (text-only posts, the parent of a carousel). */
  download: DownloadRef | null;
}

export interface MediaPage {
  items: MediaItem[];
  /** Pass back to get the next page; null at the end. Opaque, holds no secret. */
  nextCursor: string | null;
}

export interface MediaDownload {
  /** The bytes. Errors with a ProviderError (retry_later) if fewer or more arrive than promised. */
  stream: Readable;
  contentType: string | null;
  /** The byte count the provider promised, when it did. */
  size: number | null;
}

/** How a provider renews access; see each provider's section in the package README. */
export type RefreshStyle =
  /** A new refresh token every time; the old one is spent or should be discarded (X, Microsoft). */
  | "rotating"
  /** The same refresh token keeps working (Google; LinkedIn partners). */
  | "reusable"
  /** No refresh token: the long-lived access token itself is renewed (Instagram). */
  | "self"
  /** Nothing to refresh with; link again before expiry (Facebook). */
  | "none";

/**
 * One provider, the same calls for all six. Every failure is a ProviderError whose `code` is
 * needs_relink, retry_later or misconfigured.
 */
export interface Provider {
  readonly id: ProviderId;
  /** Send a PKCE S256 challenge with `authorizeUrl` and its verifier with `exchangeCode`. */
  readonly usesPkce: boolean;
  readonly refreshStyle: RefreshStyle;
  /** The scopes the authorize URL asks for. */
  readonly scopes: readonly string[];

  authorizeUrl(input: AuthorizeUrlInput): URL;
  exchangeCode(input: ExchangeCodeInput): Promise<TokenSet>;
  /** Short-lived to long-lived token (Instagram, Facebook); absent elsewhere. */
  exchangeLongLived?(tokens: TokenSet): Promise<TokenSet>;
  /** Whether `refresh` may be called now (has a refresh token; Instagram: ≥ 24 h old, unexpired). */
  canRefresh(tokens: TokenSet, now?: Date): boolean;
  /**
   * New tokens for old; absent for Facebook. Store every field of the result (rotating
   * providers return a new refresh token, the others carry the old one over).
   */
  refresh?(tokens: TokenSet): Promise<TokenSet>;
  /** Ends the grant at the provider; absent where there is no API (Instagram, Microsoft). */
  revoke?(tokens: TokenSet): Promise<void>;
  /** Read scopes this provider needs that `tokens.scopes` lacks (empty when unknown). */
  missingScopes(tokens: TokenSet): string[];
  profile(tokens: TokenSet): Promise<ProviderProfile>;
  listMedia(access: AccountAccess, cursor?: string | null): Promise<MediaPage>;
  download(access: AccountAccess, item: Pick<MediaItem, "id" | "download">): Promise<MediaDownload>;
}
