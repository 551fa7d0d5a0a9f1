import { describe, expect, it } from "vitest";

import { generateSigningJwk, loadSigningKeys } from "./signing-keys";

describe("loadSigningKeys", () => {
  it("makes one ephemeral key when none is configured", async () => {
    const keys = await loadSigningKeys(undefined);
    expect(keys).toHaveLength(1);
    expect(keys[0]?.publicJwk).toMatchObject({
      kty: "OKP",
      crv: "Ed25519",
      alg: "EdDSA",
      use: "sig",
    });
  });

  it("keeps the configured order (the first signs) and publishes public parts only", async () => {
    const json = JSON.stringify([await generateSigningJwk("new"), await generateSigningJwk("old")]);
    const keys = await loadSigningKeys(json);
    expect(keys.map((k) => k.kid)).toEqual(["new", "old"]);
    for (const key of keys) expect(key.publicJwk).not.toHaveProperty("d");
  });

  it.each([
    ["not JSON", "{nope", /JSON/],
    ["an empty array", "[]", /non-empty JSON array/],
    ["an object", "{}", /non-empty JSON array/],
    [
      "a key without kid",
      JSON.stringify([{ kty: "OKP", crv: "Ed25519", x: "a", d: "b" }]),
      /\[0\].*kid/,
    ],
    [
      "an RSA key",
      JSON.stringify([{ kty: "RSA", kid: "r", n: "a", e: "AQAB", d: "b" }]),
      /Ed25519/,
    ],
  ])("refuses %s with a message naming the problem", async (_label, json, message) => {
    await expect(loadSigningKeys(json)).rejects.toThrow(message);
  });

  it("refuses a kid used twice", async () => {
    const key = await generateSigningJwk("same");
    await expect(loadSigningKeys(JSON.stringify([key, key]))).rejects.toThrow(/"same" twice/);
  });
});
