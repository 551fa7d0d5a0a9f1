import { PROVIDER_IDS, type ProviderId, type ProviderRegistry } from "@lifeline/providers";

/** What the product calls each provider (X is still "Twitter" to many). */
export const PROVIDER_NAMES: Record<ProviderId, string> = {
  instagram: "Instagram",
  x: "X (Twitter)",
  facebook: "Facebook",
  google: "Gmail (Google)",
  microsoft: "Outlook (Microsoft)",
  linkedin: "LinkedIn",
};

export interface ProviderAvailability {
  provider: ProviderId;
  name: string;
  /** False when the server has no client credentials for it: linking it is refused. */
  available: boolean;
}

/** Every provider in product order, with whether this server can link it. */
export function providerAvailability(providers: ProviderRegistry): ProviderAvailability[] {
  return PROVIDER_IDS.map((provider) => ({
    provider,
    name: PROVIDER_NAMES[provider],
    available: providers.isAvailable(provider),
  }));
}
