import type { ClientDeps } from "./client-deps";
import { callbackUrl, type ProvidersConfig } from "./config";
import { ProviderError } from "./errors";
import { createFacebookClient } from "./facebook/client";
import { createGoogleClient } from "./google/client";
import { ProviderHttp, type ProviderLogger } from "./http/client";
import { createInstagramClient } from "./instagram/client";
import { createLinkedInClient } from "./linkedin/client";
import { createMicrosoftClient } from "./microsoft/client";
import { PROVIDER_IDS, type Provider, type ProviderId } from "./provider";
import { createXClient } from "./x/client";

export interface RegistryOptions {
  /** Defaults to the global fetch, looked up per call (so msw intercepts it). */
  fetch?: typeof fetch;
  logger?: ProviderLogger;
  /** The clock for token lifetimes; tests move it. */
  now?: () => Date;
}

export interface ProviderRegistry {
  /** The providers with credentials (real, or the stand-in's in development), in product order. */
  available(): ProviderId[];
  isAvailable(id: ProviderId): boolean;
  /** The client; a `misconfigured` ProviderError when the provider has no credentials. */
  get(id: ProviderId): Provider;
  /** Where the provider sends the user back: `${OAUTH_REDIRECT_BASE_URL}/${id}/callback`. */
  redirectUri(id: ProviderId): string;
}

type Factory = (config: ProvidersConfig, deps: ClientDeps) => Provider;

const FACTORIES: Record<ProviderId, Factory> = {
  instagram: (config, deps) => createInstagramClient(config.instagram, deps),
  x: (config, deps) => createXClient(config.x, deps),
  facebook: (config, deps) => createFacebookClient(config.facebook, deps),
  google: (config, deps) => createGoogleClient(config.google, deps),
  microsoft: (config, deps) => createMicrosoftClient(config.microsoft, deps),
  linkedin: (config, deps) => createLinkedInClient(config.linkedin, deps),
};

/**
 * The six clients behind one lookup. A provider without credentials is reported
 * unavailable and never built, so a missing secret cannot crash a process that does not use it.
 */
export function createProviderRegistry(
  config: ProvidersConfig,
  options: RegistryOptions = {},
): ProviderRegistry {
  const clients = new Map<ProviderId, Provider>();
  const now = options.now ?? (() => new Date());

  const isAvailable = (id: ProviderId) => config[id].credentials !== null;

  return {
    available: () => PROVIDER_IDS.filter(isAvailable),
    isAvailable,
    get(id) {
      const existing = clients.get(id);
      if (existing) return existing;
      const credentials = config[id].credentials;
      if (!credentials) {
        throw new ProviderError({
          code: "misconfigured",
          provider: id,
          message: `${id} is not configured (no client id and secret)`,
        });
      }
      const http = new ProviderHttp({
        provider: id,
        timeoutMs: config.timeoutMs,
        now,
        ...(options.fetch ? { fetch: options.fetch } : {}),
        ...(options.logger ? { logger: options.logger } : {}),
      });
      const client = FACTORIES[id](config, {
        http,
        credentials,
        ...(options.logger ? { logger: options.logger } : {}),
      });
      clients.set(id, client);
      return client;
    },
    redirectUri: (id) => callbackUrl(config, id),
  };
}
