import { describe, expect, it } from "vitest";

import {
  createTokenCipher,
  generateCipherKey,
  parseCipherKeys,
  TokenDecryptionError,
} from "../crypto/token-cipher";
import { decryptAccountTokens, encryptAccountTokens } from "./account-tokens";

const cipher = createTokenCipher(parseCipherKeys(generateCipherKey("k1")));
const accountId = "5f0c7a56-2d1b-4c4e-9a53-6f1f0e0d9b11";
const tokens = {
  accessToken: "access-secret",
  refreshToken: "refresh-secret",
  expiresAt: new Date("2026-12-02T08:00:00Z"),
  refreshExpiresAt: new Date("2027-01-01T00:00:00Z"),
  scopes: ["a", "b"],
  issuedAt: new Date("2026-12-02T06:00:00Z"),
};

describe("account tokens at rest", () => {
  it("round-trips every field and never stores a token in the clear", () => {
    const columns = encryptAccountTokens(cipher, accountId, tokens);
    expect(columns.accessTokenEnc).not.toContain("access-secret");
    expect(columns.refreshTokenEnc).not.toContain("refresh-secret");
    expect(decryptAccountTokens(cipher, { id: accountId, ...columns })).toEqual(tokens);
  });

  it("leaves the refresh columns empty for a provider that issues none", () => {
    const columns = encryptAccountTokens(cipher, accountId, {
      accessToken: "only-access",
      expiresAt: null,
      scopes: [],
      issuedAt: tokens.issuedAt,
    });
    expect(columns.refreshTokenEnc).toBeNull();
    const read = decryptAccountTokens(cipher, { id: accountId, ...columns });
    expect(read).toEqual({
      accessToken: "only-access",
      expiresAt: null,
      scopes: [],
      issuedAt: tokens.issuedAt,
    });
  });

  it("refuses a ciphertext moved to another account or swapped between columns", () => {
    const columns = encryptAccountTokens(cipher, accountId, tokens);
    const otherId = "0b6f7d2e-8f55-4a8c-bb0f-3b0f6a4f2c22";
    expect(() => decryptAccountTokens(cipher, { id: otherId, ...columns })).toThrow(
      TokenDecryptionError,
    );
    const swapped = {
      ...columns,
      accessTokenEnc: columns.refreshTokenEnc,
      refreshTokenEnc: columns.accessTokenEnc,
    };
    expect(() => decryptAccountTokens(cipher, { id: accountId, ...swapped })).toThrow(
      TokenDecryptionError,
    );
  });

  it("reads an unlinked account (no tokens) as null", () => {
    const columns = encryptAccountTokens(cipher, accountId, tokens);
    expect(
      decryptAccountTokens(cipher, {
        id: accountId,
        ...columns,
        accessTokenEnc: null,
        refreshTokenEnc: null,
      }),
    ).toBeNull();
  });
});
