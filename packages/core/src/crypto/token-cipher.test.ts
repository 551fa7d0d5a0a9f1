import { describe, expect, it } from "vitest";

import {
  createTokenCipher,
  generateCipherKey,
  parseCipherKeys,
  TokenDecryptionError,
} from "./token-cipher";

const keys = (value: string) => parseCipherKeys(value);

describe("createTokenCipher", () => {
  const cipher = createTokenCipher(keys(generateCipherKey("k1")));

  it("round-trips, with a fresh IV each time and no plaintext in the stored form", () => {
    const a = cipher.encrypt("IGAAT0k3n-secret", "account-1:access");
    const b = cipher.encrypt("IGAAT0k3n-secret", "account-1:access");
    expect(a).not.toBe(b);
    expect(a).not.toContain("IGAAT0k3n");
    expect(a.startsWith("v1.k1.")).toBe(true);
    expect(cipher.decrypt(a, "account-1:access")).toBe("IGAAT0k3n-secret");
  });

  it("refuses another context, a tampered value and garbage", () => {
    const stored = cipher.encrypt("token", "account-1:access");
    expect(() => cipher.decrypt(stored, "account-2:access")).toThrow(TokenDecryptionError);
    const parts = stored.split(".");
    const body = Buffer.from(parts[3]!, "base64url");
    body[0] = body[0]! ^ 1;
    parts[3] = body.toString("base64url");
    expect(() => cipher.decrypt(parts.join("."), "account-1:access")).toThrow(TokenDecryptionError);
    expect(() => cipher.decrypt("not-a-value", "x")).toThrow(TokenDecryptionError);
  });

  it("rotates: old values decrypt with the old key listed second, new ones use the new key", () => {
    const oldKey = generateCipherKey("old");
    const before = createTokenCipher(keys(oldKey));
    const stored = before.encrypt("refresh", "acc:refresh");
    const after = createTokenCipher(keys(`${generateCipherKey("new")},${oldKey}`));
    expect(after.decrypt(stored, "acc:refresh")).toBe("refresh");
    expect(after.needsReencryption(stored)).toBe(true);
    const rewritten = after.encrypt(after.decrypt(stored, "acc:refresh"), "acc:refresh");
    expect(after.needsReencryption(rewritten)).toBe(false);
    // A key dropped from the list cannot read its values any more.
    expect(() =>
      createTokenCipher(keys(generateCipherKey("new"))).decrypt(stored, "acc:refresh"),
    ).toThrow(/no key/);
  });
});

describe("parseCipherKeys", () => {
  it("says what is wrong, never echoing a key", () => {
    expect(() => parseCipherKeys("")).toThrow(/at least one key/);
    expect(() => parseCipherKeys("k1:c2hvcnQ=")).toThrow("key k1: must be 32 bytes, base64");
    expect(() => parseCipherKeys(`bad id:${"A".repeat(44)}`)).toThrow(/its id must be/);
    const one = generateCipherKey("same");
    expect(() => parseCipherKeys(`${one},${one}`)).toThrow(/repeat/);
  });
});
