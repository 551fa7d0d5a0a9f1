import { describe, expect, it } from "vitest";

import { normaliseEmail } from "./email";
import { fitsBcrypt, passwordByteLength } from "./password";
import { generateRefreshToken, hashRefreshToken, successorOf } from "./refresh-token";

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

  it("fit bcrypt only up to 72 bytes", () => {
    expect(fitsBcrypt("a".repeat(72))).toBe(true);
    expect(fitsBcrypt("a".repeat(73))).toBe(false);
    expect(fitsBcrypt("€".repeat(24))).toBe(true); // 72 bytes
    expect(fitsBcrypt(`${"€".repeat(24)}a`)).toBe(false);
  });
});

describe("refresh tokens", () => {
  it("are 256-bit base64url values, each different", () => {
    const tokens = new Set(Array.from({ length: 100 }, generateRefreshToken));
    expect(tokens.size).toBe(100);
    for (const token of tokens) expect(Buffer.from(token, "base64url")).toHaveLength(32);
  });

  it("have a successor derived from them under the secret: stable, unguessable without it", () => {
    const secret = Buffer.alloc(32, 7);
    const token = generateRefreshToken();
    expect(successorOf(token, secret)).toBe(successorOf(token, secret));
    expect(successorOf(token, secret)).not.toBe(successorOf(token, Buffer.alloc(32, 8)));
    expect(successorOf(token, secret)).not.toBe(successorOf(generateRefreshToken(), secret));
    expect(Buffer.from(successorOf(token, secret), "base64url")).toHaveLength(32);
  });

  it("are stored as SHA-256 hex", () => {
    expect(hashRefreshToken("abc")).toBe(
      "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
    );
  });
});
