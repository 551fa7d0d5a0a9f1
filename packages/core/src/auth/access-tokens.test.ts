import { describe, expect, it } from "vitest";

import { AppError } from "../errors/app-error";
import { createAccessTokens } from "./access-tokens";
import { loadSigningKeys } from "./signing-keys";

const config = { issuer: "lifeline", audience: "lifeline-api", ttlSeconds: 900 };

async function rejection(promise: Promise<unknown>): Promise<AppError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AppError);
  return error as AppError;
}

describe("createAccessTokens", () => {
  it("round-trips the user and session ids", async () => {
    const tokens = createAccessTokens(await loadSigningKeys(undefined), config);
    const { token, expiresIn } = await tokens.sign({ userId: "u1", sessionId: "s1" });
    expect(expiresIn).toBe(900);
    await expect(tokens.verify(token)).resolves.toEqual({ userId: "u1", sessionId: "s1" });
  });

  it("refuses tokens of another issuer or audience, and garbage, as UNAUTHORIZED", async () => {
    const keys = await loadSigningKeys(undefined);
    const ours = createAccessTokens(keys, config);
    const foreignIssuer = createAccessTokens(keys, { ...config, issuer: "someone-else" });
    const foreignAudience = createAccessTokens(keys, { ...config, audience: "other-api" });
    for (const other of [foreignIssuer, foreignAudience]) {
      const { token } = await other.sign({ userId: "u1", sessionId: "s1" });
      expect((await rejection(ours.verify(token))).code).toBe("UNAUTHORIZED");
    }
    expect((await rejection(ours.verify("not.a.jwt"))).message).toBe("Invalid access token");
  });

  it("says an expired token is expired", async () => {
    const tokens = createAccessTokens(await loadSigningKeys(undefined), {
      ...config,
      ttlSeconds: 1,
    });
    const { token } = await tokens.sign({ userId: "u1", sessionId: "s1" });
    await new Promise((r) => setTimeout(r, 2100));
    expect((await rejection(tokens.verify(token))).message).toBe("Access token expired");
  });

  it("refuses a token signed by a key it does not list", async () => {
    const a = createAccessTokens(await loadSigningKeys(undefined), config);
    const b = createAccessTokens(await loadSigningKeys(undefined), config);
    const { token } = await a.sign({ userId: "u1", sessionId: "s1" });
    expect((await rejection(b.verify(token))).code).toBe("UNAUTHORIZED");
  });
});
