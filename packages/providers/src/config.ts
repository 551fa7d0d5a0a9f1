import { PROVIDER_IDS, type ProviderId } from "./provider";

export interface Credentials {
  clientId: string;
  clientSecret: string;
}

/**
 * Every host a provider uses, as a base URL (a path prefix is allowed: the stand-in serves
 * all of a provider under `http://localhost:4010/<provider>`). No two hosts of one provider
 * share a path, which is what lets one base replace all of them.
 */
export type ProviderUrls<K extends string> = Record<K, string>;

interface Common {
  /** Null: not configured, so the registry reports the provider unavailable. */
  credentials: Credentials | null;
  /** What the authorize URL asks for; the defaults are the minimum the import needs. */
  scopes: string[];
  /** Items asked for per listing request. */
  pageSize: number;
}

export interface InstagramConfig extends Common {
  urls: ProviderUrls<"authorize" | "token" | "graph">;
  graphVersion: string;
  /** A long-lived token may be refreshed only once it is this old (24 h). */
  minRefreshAgeMs: number;
}

export interface XConfig extends Common {
  urls: ProviderUrls<"authorize" | "api">;
  /** "confidential": Basic auth with the secret (a server); "public": client_id in the body. */
  clientType: "confidential" | "public";
  /**
   * Query parameter names for the post listing: the guides say `tweet.fields`, a newer
   * OpenAPI spec says `post.fields`. Switch here if the live API moves.
   */
  fieldsParam: "tweet.fields" | "post.fields";
}

export type FacebookEdge = "photos" | "videos" | "posts";

export interface FacebookConfig extends Common {
  urls: ProviderUrls<"dialog" | "graph">;
  graphVersion: string;
  /** The OIDC code flow with PKCE (Meta still labels it testing); off: the classic flow. */
  pkce: boolean;
  /** Listed in this order. `videos` is skipped quietly if the Graph version refuses it. */
  edges: FacebookEdge[];
  /** Sign calls with appsecret_proof (needed when the app enables "Require App Secret"). */
  appSecretProof: boolean;
}

export interface GoogleConfig extends Common {
  urls: ProviderUrls<"authorize" | "token" | "userinfo" | "gmail">;
  /** Gmail search for the messages to import. */
  query: string;
}

export interface MicrosoftConfig extends Common {
  urls: ProviderUrls<"login" | "graph">;
  /** common (work and personal accounts), consumers, organizations, or a tenant id. */
  tenant: string;
}

export interface LinkedInConfig extends Common {
  urls: ProviderUrls<"oauth" | "api">;
  /** The LinkedIn-Version header (YYYYMM); each version lives about a year. */
  apiVersion: string;
  /** The app is approved for r_member_social: ask for it and list the member's posts. */
  memberPosts: boolean;
}

export interface ProvidersConfig {
  /** The callback is `${redirectBaseUrl}/${provider}/callback`. */
  redirectBaseUrl: string;
  /** Per request, until the response headers (JSON bodies included). */
  timeoutMs: number;
  instagram: InstagramConfig;
  x: XConfig;
  facebook: FacebookConfig;
  google: GoogleConfig;
  microsoft: MicrosoftConfig;
  linkedin: LinkedInConfig;
}

export const DEFAULT_GRAPH_VERSION = "v25.0";
export const DEFAULT_LINKEDIN_VERSION = "202506";

/** The production hosts, with documented defaults; no credentials. */
export function defaultProvidersConfig(): ProvidersConfig {
  return {
    redirectBaseUrl: "http://localhost:3000/api/accounts",
    timeoutMs: 30_000,
    instagram: {
      credentials: null,
      scopes: ["instagram_business_basic"],
      pageSize: 50,
      urls: {
        authorize: "https://www.instagram.com",
        token: "https://api.instagram.com",
        graph: "https://graph.instagram.com",
      },
      graphVersion: DEFAULT_GRAPH_VERSION,
      minRefreshAgeMs: 24 * 3600 * 1000,
    },
    x: {
      credentials: null,
      scopes: ["tweet.read", "users.read", "offline.access"],
      pageSize: 100,
      urls: { authorize: "https://x.com", api: "https://api.x.com" },
      clientType: "confidential",
      fieldsParam: "tweet.fields",
    },
    facebook: {
      credentials: null,
      scopes: ["public_profile", "user_photos", "user_videos", "user_posts"],
      pageSize: 100,
      urls: { dialog: "https://www.facebook.com", graph: "https://graph.facebook.com" },
      graphVersion: DEFAULT_GRAPH_VERSION,
      pkce: false,
      edges: ["photos", "videos", "posts"],
      appSecretProof: true,
    },
    google: {
      credentials: null,
      scopes: ["openid", "email", "https://www.googleapis.com/auth/gmail.readonly"],
      pageSize: 50,
      urls: {
        authorize: "https://accounts.google.com",
        token: "https://oauth2.googleapis.com",
        userinfo: "https://openidconnect.googleapis.com",
        gmail: "https://gmail.googleapis.com",
      },
      query: "has:attachment",
    },
    microsoft: {
      credentials: null,
      scopes: ["openid", "profile", "email", "offline_access", "User.Read", "Mail.Read"],
      pageSize: 50,
      urls: { login: "https://login.microsoftonline.com", graph: "https://graph.microsoft.com" },
      tenant: "common",
    },
    linkedin: {
      credentials: null,
      scopes: ["openid", "profile", "email"],
      pageSize: 50,
      urls: { oauth: "https://www.linkedin.com", api: "https://api.linkedin.com" },
      apiVersion: DEFAULT_LINKEDIN_VERSION,
      memberPosts: false,
    },
  };
}

/** What the stand-in server (apps/provider-standins) accepts as each provider's client. */
export function standinCredentials(provider: ProviderId): Credentials {
  return { clientId: `standin-${provider}-client`, clientSecret: `standin-${provider}-secret` };
}

/** Every host of a provider replaced by one base URL. */
export function pointAt<K extends string>(urls: ProviderUrls<K>, base: string): ProviderUrls<K> {
  const trimmed = base.replace(/\/+$/, "");
  return Object.fromEntries(Object.keys(urls).map((key) => [key, trimmed])) as ProviderUrls<K>;
}

/**
 * The parsed environment this package reads (packages/env/src/fragments/providers.ts).
 * Declared here by shape so any process env that composes the fragment fits.
 */
export interface ProvidersEnv {
  OAUTH_REDIRECT_BASE_URL: string;
  PROVIDER_STANDIN_URL?: string | undefined;
  PROVIDER_TIMEOUT_MS: number;
  META_GRAPH_VERSION: string;
  MICROSOFT_TENANT: string;
  LINKEDIN_API_VERSION: string;
  LINKEDIN_MEMBER_POSTS: boolean;
  INSTAGRAM_CLIENT_ID?: string | undefined;
  INSTAGRAM_CLIENT_SECRET?: string | undefined;
  INSTAGRAM_BASE_URL?: string | undefined;
  X_CLIENT_ID?: string | undefined;
  X_CLIENT_SECRET?: string | undefined;
  X_BASE_URL?: string | undefined;
  FACEBOOK_CLIENT_ID?: string | undefined;
  FACEBOOK_CLIENT_SECRET?: string | undefined;
  FACEBOOK_BASE_URL?: string | undefined;
  GOOGLE_CLIENT_ID?: string | undefined;
  GOOGLE_CLIENT_SECRET?: string | undefined;
  GOOGLE_BASE_URL?: string | undefined;
  MICROSOFT_CLIENT_ID?: string | undefined;
  MICROSOFT_CLIENT_SECRET?: string | undefined;
  MICROSOFT_BASE_URL?: string | undefined;
  LINKEDIN_CLIENT_ID?: string | undefined;
  LINKEDIN_CLIENT_SECRET?: string | undefined;
  LINKEDIN_BASE_URL?: string | undefined;
}

const ENV_PREFIX: Record<ProviderId, string> = {
  instagram: "INSTAGRAM",
  x: "X",
  facebook: "FACEBOOK",
  google: "GOOGLE",
  microsoft: "MICROSOFT",
  linkedin: "LINKEDIN",
};

/**
 * The configuration from the environment. Per provider: real credentials (and optionally a
 * base URL replacing every host, for staging or an emulator); or, with none and
 * PROVIDER_STANDIN_URL set (development), the stand-in server with its fake credentials;
 * or nothing, and the provider is unavailable.
 */
export function providersConfigFromEnv(env: ProvidersEnv): ProvidersConfig {
  const config = defaultProvidersConfig();
  config.redirectBaseUrl = env.OAUTH_REDIRECT_BASE_URL.replace(/\/+$/, "");
  config.timeoutMs = env.PROVIDER_TIMEOUT_MS;
  config.instagram.graphVersion = env.META_GRAPH_VERSION;
  config.facebook.graphVersion = env.META_GRAPH_VERSION;
  config.microsoft.tenant = env.MICROSOFT_TENANT;
  config.linkedin.apiVersion = env.LINKEDIN_API_VERSION;
  if (env.LINKEDIN_MEMBER_POSTS) enableMemberPosts(config.linkedin);
  const read = env as unknown as Record<string, string | undefined>;
  for (const id of PROVIDER_IDS) {
    const prefix = ENV_PREFIX[id];
    const clientId = read[`${prefix}_CLIENT_ID`];
    const clientSecret = read[`${prefix}_CLIENT_SECRET`];
    const baseUrl = read[`${prefix}_BASE_URL`];
    if (clientId && clientSecret) {
      configure(config[id], { clientId, clientSecret }, baseUrl);
    } else if (env.PROVIDER_STANDIN_URL) {
      const standin = `${env.PROVIDER_STANDIN_URL.replace(/\/+$/, "")}/${id}`;
      configure(config[id], standinCredentials(id), standin);
      // The stand-in plays an approved LinkedIn partner, so imports can be tried end to end.
      if (id === "linkedin") enableMemberPosts(config.linkedin);
    }
  }
  return config;
}

/** Ask for r_member_social and list the member's posts (partner apps only). */
function enableMemberPosts(linkedin: LinkedInConfig): void {
  if (linkedin.memberPosts) return;
  linkedin.memberPosts = true;
  linkedin.scopes = [...linkedin.scopes, "r_member_social"];
}

function configure(
  section: { credentials: Credentials | null; urls: Record<string, string> },
  credentials: Credentials,
  baseUrl: string | undefined,
): void {
  section.credentials = credentials;
  if (baseUrl) section.urls = pointAt(section.urls, baseUrl);
}

/** Where the provider sends the user back: `${redirectBaseUrl}/${provider}/callback`. */
export function callbackUrl(config: Pick<ProvidersConfig, "redirectBaseUrl">, id: ProviderId) {
  return `${config.redirectBaseUrl.replace(/\/+$/, "")}/${id}/callback`;
}
