import { generateSigningJwk } from "@lifeline/core";
import { secretGenerators } from "@lifeline/env";

// `pnpm keys:generate`: prints a fresh value for each secret a production deployment sets.
// To rotate JWT_SIGNING_KEYS, put the new key first and keep the old one listed until its
// tokens have expired (15 min). To rotate TOKEN_ENCRYPTION_KEYS, put the new key first, keep
// the old ones, and run `pnpm tokens:reencrypt` before dropping them.
const dated = `key-${new Date().toISOString().slice(0, 10)}`;
const jwk = await generateSigningJwk(dated);
const encryptionKey = (secretGenerators.TOKEN_ENCRYPTION_KEYS?.() ?? "").replace(
  /^dev-1:/,
  `${dated}:`,
);
process.stdout.write(
  [
    `JWT_SIGNING_KEYS='${JSON.stringify([jwk])}'`,
    `TOKEN_SECRET=${secretGenerators.TOKEN_SECRET?.() ?? ""}`,
    `TOKEN_ENCRYPTION_KEYS=${encryptionKey}`,
  ].join("\n") + "\n",
);
