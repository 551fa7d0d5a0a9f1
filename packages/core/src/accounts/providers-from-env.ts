import type { Logger } from "@lifeline/logger";
import {
  createProviderRegistry,
  providersConfigFromEnv,
  type ProviderRegistry,
  type ProvidersEnv,
} from "@lifeline/providers";

/**
 * The provider registry a process uses, from its environment. A provider without
 * credentials (and no stand-in in development) is reported unavailable; nothing here throws
 * for it, so a server with only some providers configured starts and links those.
 */
export function providersFromEnv(env: ProvidersEnv, logger: Logger): ProviderRegistry {
  return createProviderRegistry(providersConfigFromEnv(env), {
    logger: logger.child({ component: "providers" }),
  });
}
