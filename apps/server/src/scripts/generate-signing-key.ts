import { generateSigningJwk } from "@lifeline/core";

// `pnpm keys:generate`: prints a JWT_SIGNING_KEYS value with one new Ed25519 key. To rotate,
// put the new key first and keep the old one listed until its tokens have expired (15 min).
const jwk = await generateSigningJwk(`key-${new Date().toISOString().slice(0, 10)}`);
process.stdout.write(`JWT_SIGNING_KEYS='${JSON.stringify([jwk])}'\n`);
