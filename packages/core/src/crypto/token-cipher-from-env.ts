import type { Logger } from "@lifeline/logger";

import {
  createTokenCipher,
  generateCipherKey,
  parseCipherKeys,
  type TokenCipher,
} from "./token-cipher";

/**
 * The token cipher of a process from TOKEN_ENCRYPTION_KEYS. Unset (allowed outside
 * production only; the env schema requires it there): an ephemeral key, with a warning,
 * since tokens written under it become unreadable after a restart and by other processes.
 */
export function tokenCipherFromEnv(
  env: { TOKEN_ENCRYPTION_KEYS?: string | undefined },
  logger: Pick<Logger, "warn">,
): TokenCipher {
  if (env.TOKEN_ENCRYPTION_KEYS)
    return createTokenCipher(parseCipherKeys(env.TOKEN_ENCRYPTION_KEYS));
  logger.warn(
    "TOKEN_ENCRYPTION_KEYS is unset: using an ephemeral key (linked accounts' tokens will not decrypt after a restart or in another process; `pnpm env:setup` writes one to .env)",
  );
  return createTokenCipher(parseCipherKeys(generateCipherKey("ephemeral")));
}
