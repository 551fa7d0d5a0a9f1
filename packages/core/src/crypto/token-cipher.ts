import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";

/** One AES-256 key and the id written beside every ciphertext it makes. */
export interface CipherKey {
  kid: string;
  key: Buffer;
}

/**
 * Provider tokens at rest: AES-256-GCM, a fresh 96-bit IV per value, and the key's id in the
 * stored string, so keys rotate: new values use the first (current) key, old values still
 * decrypt with whichever key their id names, and `needsReencryption` finds what to rewrite.
 * Each value is bound to where it is stored (`context`, e.g. the account id and the field):
 * a ciphertext copied to another row or column does not decrypt.
 *
 * Stored form: `v1.<kid>.<iv>.<ciphertext+tag>` (base64url parts).
 */
export interface TokenCipher {
  readonly currentKeyId: string;
  encrypt(plaintext: string, context: string): string;
  decrypt(stored: string, context: string): string;
  /** True when `stored` was made with a key other than the current one. */
  needsReencryption(stored: string): boolean;
}

/** A stored value this cipher cannot read: unknown key id, tampered, wrong context, garbage. */
export class TokenDecryptionError extends Error {
  override name = "TokenDecryptionError";
}

const VERSION = "v1";
const KID = /^[A-Za-z0-9_-]{1,32}$/;

/**
 * Reads TOKEN_ENCRYPTION_KEYS: comma-separated `kid:base64key`, each key 32 bytes; the first
 * is current. Throws with a message naming the problem (never the key).
 */
export function parseCipherKeys(value: string): CipherKey[] {
  const keys = value
    .split(",")
    .map((entry) => entry.trim())
    .filter(Boolean)
    .map((entry, index) => {
      const [kid = "", encoded = ""] = entry.split(":");
      if (!KID.test(kid))
        throw new Error(`key ${index + 1}: its id must be 1-32 of A-Z a-z 0-9 _ -`);
      const key = Buffer.from(encoded, "base64");
      if (key.length !== 32) throw new Error(`key ${kid}: must be 32 bytes, base64`);
      return { kid, key };
    });
  if (keys.length === 0) throw new Error("at least one key is required");
  if (new Set(keys.map((k) => k.kid)).size !== keys.length) throw new Error("key ids repeat");
  return keys;
}

/** A new key in the form TOKEN_ENCRYPTION_KEYS takes. */
export function generateCipherKey(kid: string): string {
  return `${kid}:${randomBytes(32).toString("base64")}`;
}

export function createTokenCipher(keys: CipherKey[]): TokenCipher {
  const [current] = keys;
  if (!current) throw new Error("at least one key is required");
  const byId = new Map(keys.map((k) => [k.kid, k.key]));

  return {
    currentKeyId: current.kid,

    encrypt(plaintext, context) {
      const iv = randomBytes(12);
      const cipher = createCipheriv("aes-256-gcm", current.key, iv);
      cipher.setAAD(Buffer.from(context, "utf8"));
      const body = Buffer.concat([
        cipher.update(plaintext, "utf8"),
        cipher.final(),
        cipher.getAuthTag(),
      ]);
      return [VERSION, current.kid, iv.toString("base64url"), body.toString("base64url")].join(".");
    },

    decrypt(stored, context) {
      const [version, kid = "", ivPart = "", bodyPart = ""] = stored.split(".");
      const key = byId.get(kid);
      if (version !== VERSION || !key)
        throw new TokenDecryptionError(`no key for "${version}.${kid}"`);
      const iv = Buffer.from(ivPart, "base64url");
      const body = Buffer.from(bodyPart, "base64url");
      if (iv.length !== 12 || body.length < 16) throw new TokenDecryptionError("malformed value");
      try {
        const decipher = createDecipheriv("aes-256-gcm", key, iv);
        decipher.setAAD(Buffer.from(context, "utf8"));
        decipher.setAuthTag(body.subarray(body.length - 16));
        return Buffer.concat([
          decipher.update(body.subarray(0, body.length - 16)),
          decipher.final(),
        ]).toString("utf8");
      } catch (error) {
        throw new TokenDecryptionError("authentication failed (tampered, or another context)", {
          cause: error,
        });
      }
    },

    needsReencryption(stored) {
      return stored.split(".")[1] !== current.kid;
    },
  };
}
