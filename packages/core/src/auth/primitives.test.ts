import { describe, expect, it } from "vitest";

import { normaliseEmail } from "./email";
import { dummyHash, hashPassword, passwordByteLength, verifyPassword } from "./password";
import { generateRefreshToken, hashRefreshToken } from "./refresh-token";

describe("normaliseEmail", () => {
  it("trims, lower-cases and NFC-normalises", () => {
    expect(normaliseEmail("  Ada@Example.COM ")).toBe("ada@example.com");
    // "é" as e + combining accent and as one code point: one account, not two.
    expect(normaliseEmail("Re\u0301my@example.com")).toBe(normaliseEmail("r\u00e9my@example.com"));
  });
});

describe("passwords", () => {
  it("measures UTF-8 bytes, not characters", () => {
    expect(passwordByteLength("abc")).toBe(3);
    expect(passwordByteLength("€")).toBe(3);
    expect(passwordByteLength("😀")).toBe(4);
  });

  it("hashes with the given cost and verifies only the right password", async () => {
    const hash = await hashPassword("correct horse", 4);
    expect(hash).toMatch(/^\$2[ab]\$04\$/);
    await expect(verifyPassword("correct horse", hash)).resolves.toBe(true);
    await expect(verifyPassword("correct horsE", hash)).resolves.toBe(false);
  });

  it("keeps one dummy hash per cost for unknown-email logins", async () => {
    const [a, b] = await Promise.all([dummyHash(4), dummyHash(4)]);
    expect(a).toBe(b);
    expect(await dummyHash(5)).toMatch(/^\$2[ab]\$05\$/);
  });
});

describe("refresh tokens", () => {
  it("are 256-bit base64url values, each different", () => {
    const tokens = new Set(Array.from({ length: 100 }, generateRefreshToken));
    expect(tokens.size).toBe(100);
    for (const token of tokens) expect(Buffer.from(token, "base64url")).toHaveLength(32);
  });

  it("are stored as SHA-256 hex", () => {
    expect(hashRefreshToken("abc")).toBe(
      "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
    );
  });
});
