import { generateKeyPairSync, randomBytes } from "node:crypto";

/**
 * The secrets a deployment must set, each made fresh: `pnpm keys:generate` prints them for
 * production, and `pnpm env:setup` writes them once to a developer's .env (never committed),
 * so the server and the jobs app, and every restart of them, share the same ones: access
 * tokens survive a restart, emailed links keep working, and provider tokens encrypted by
 * one process decrypt in the other.
 */
export const secretGenerators: Record<string, () => string> = {
  JWT_SIGNING_KEYS: () => {
    const { privateKey } = generateKeyPairSync("ed25519");
    const jwk = privateKey.export({ format: "jwk" });
    return `'${JSON.stringify([{ ...jwk, kid: "dev-1", alg: "EdDSA", use: "sig" }])}'`;
  },
  TOKEN_SECRET: () => randomBytes(32).toString("base64url"),
  TOKEN_ENCRYPTION_KEYS: () => `dev-1:${randomBytes(32).toString("base64")}`,
};

/** The lines to append to a .env whose text is `current`: one per secret it lacks. */
export function missingSecretLines(current: string): string[] {
  const present = new Set(
    current
      .split("\n")
      .map((line) => /^\s*([A-Z][A-Z0-9_]*)\s*=/.exec(line)?.[1])
      .filter((name): name is string => name !== undefined),
  );
  return Object.entries(secretGenerators)
    .filter(([name]) => !present.has(name))
    .map(([name, make]) => `${name}=${make()}`);
}
