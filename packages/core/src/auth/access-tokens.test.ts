import { SignJWT } from "jose";
import { describe, expect, it } from "vitest";

import { AppError } from "../errors/app-error";
import { createAccessTokens, ISSUED_AT_SKEW_SECONDS } from "./access-tokens";
import { loadSigningKeys, type SigningKey } from "./signing-keys";

const config = { issuer: "lifeline", audience: "lifeline-api", ttlSeconds: 900 };
const SESSION = "6f1d3a4e-2b7c-4d8e-9f01-23456789abcd";

async function rejection(promise: Promise<unknown>): Promise<AppError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AppError);
  return error as AppError;
}

/** A clock the test moves by hand. */
function manualClock(start = new Date("2026-06-01T12:00:00Z")) {
  let now = start;
  return {
    now: () => now,
    advance: (seconds: number) => {
      now = new Date(now.getTime() + seconds * 1000);
    },
  };
}

/** Signs a token with our key but claims of the test's choosing. */
async function forge(
  key: SigningKey,
  claims: { iat?: number; exp?: number; sid?: string },
  header: { kid?: string } = { kid: key.kid },
): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ sid: claims.sid ?? SESSION })
    .setProtectedHeader({ alg: "EdDSA", typ: "JWT", ...header })
    .setSubject("u1")
    .setIssuer(config.issuer)
    .setAudience(config.audience)
    .setIssuedAt(claims.iat ?? now)
    .setExpirationTime(claims.exp ?? now + 900)
    .sign(key.privateKey);
}

describe("createAccessTokens", () => {
  it("round-trips the user and session ids", async () => {
    const tokens = createAccessTokens(await loadSigningKeys(undefined), config);
    const { token, expiresIn } = await tokens.sign({ userId: "u1", sessionId: SESSION });
    expect(expiresIn).toBe(900);
    await expect(tokens.verify(token)).resolves.toEqual({ userId: "u1", sessionId: SESSION });
  });

  it("refuses tokens of another issuer or audience, and garbage, as token_invalid", async () => {
    const keys = await loadSigningKeys(undefined);
    const ours = createAccessTokens(keys, config);
    const foreignIssuer = createAccessTokens(keys, { ...config, issuer: "someone-else" });
    const foreignAudience = createAccessTokens(keys, { ...config, audience: "other-api" });
    for (const other of [foreignIssuer, foreignAudience]) {
      const { token } = await other.sign({ userId: "u1", sessionId: SESSION });
      expect(await rejection(ours.verify(token))).toMatchObject({
        code: "UNAUTHORIZED",
        reason: "token_invalid",
      });
    }
    expect((await rejection(ours.verify("not.a.jwt"))).message).toBe("Invalid access token");
  });

  it("says an expired token is expired, on the injected clock", async () => {
    const clock = manualClock();
    const tokens = createAccessTokens(await loadSigningKeys(undefined), config, clock.now);
    const { token } = await tokens.sign({ userId: "u1", sessionId: SESSION });
    clock.advance(899);
    await expect(tokens.verify(token)).resolves.toMatchObject({ sessionId: SESSION });
    clock.advance(2);
    const error = await rejection(tokens.verify(token));
    expect(error).toMatchObject({ reason: "token_expired", message: "Access token expired" });
  });

  it("refuses a token signed by a key it does not list", async () => {
    const a = createAccessTokens(await loadSigningKeys(undefined), config);
    const b = createAccessTokens(await loadSigningKeys(undefined), config);
    const { token } = await a.sign({ userId: "u1", sessionId: SESSION });
    expect((await rejection(b.verify(token))).code).toBe("UNAUTHORIZED");
  });
});

describe("strict checks on validly signed tokens", () => {
  async function setup() {
    const keys = await loadSigningKeys(undefined);
    const key = keys[0]!;
    return { key, tokens: createAccessTokens(keys, config) };
  }
  const now = () => Math.floor(Date.now() / 1000);

  it("accepts what it signs itself, as a control", async () => {
    const { key, tokens } = await setup();
    await expect(tokens.verify(await forge(key, {}))).resolves.toMatchObject({ userId: "u1" });
  });

  it("refuses a token without kid", async () => {
    const { key, tokens } = await setup();
    const token = await forge(key, {}, {});
    expect(await rejection(tokens.verify(token))).toMatchObject({ reason: "token_invalid" });
  });

  it("refuses an exp further from iat than ACCESS_TOKEN_TTL", async () => {
    const { key, tokens } = await setup();
    const tenYears = await forge(key, { exp: now() + 10 * 365 * 86400 });
    expect(await rejection(tokens.verify(tenYears))).toMatchObject({ reason: "token_invalid" });
    const oneSecondTooLong = await forge(key, { iat: now(), exp: now() + 901 });
    await expect(tokens.verify(oneSecondTooLong)).rejects.toBeInstanceOf(AppError);
  });

  it("refuses an iat in the future beyond the skew, and allows it within", async () => {
    const { key, tokens } = await setup();
    const dayAhead = await forge(key, { iat: now() + 86400, exp: now() + 86400 + 900 });
    expect(await rejection(tokens.verify(dayAhead))).toMatchObject({ reason: "token_invalid" });
    const slightlyAhead = now() + ISSUED_AT_SKEW_SECONDS - 5;
    const withinSkew = await forge(key, { iat: slightlyAhead, exp: slightlyAhead + 900 });
    await expect(tokens.verify(withinSkew)).resolves.toMatchObject({ userId: "u1" });
  });

  it("accepts only canonical base64url", async () => {
    const { key, tokens } = await setup();
    const token = await forge(key, {});
    const [header, payload, signature] = token.split(".") as [string, string, string];
    const variants = [
      `${token}==`,
      `${header}.${payload}.${signature}=`,
      `${header}.${payload}.${signature.replaceAll("-", "+").replaceAll("_", "/")}+`,
      ` ${token}`,
      // The last character of a 64-byte signature carries 4 unused bits: flip one.
      `${header}.${payload}.${signature.slice(0, -1)}${flipUnusedBit(signature.at(-1)!)}`,
    ];
    for (const variant of variants) {
      expect(await rejection(tokens.verify(variant))).toMatchObject({ reason: "token_invalid" });
    }
    await expect(tokens.verify(token)).resolves.toMatchObject({ userId: "u1" });
  });

  it("refuses a session id that is not a UUID, as token_invalid", async () => {
    const { key, tokens } = await setup();
    const token = await forge(key, { sid: "not-a-uuid" });
    expect(await rejection(tokens.verify(token))).toMatchObject({ reason: "token_invalid" });
  });
});

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
function flipUnusedBit(char: string): string {
  return ALPHABET[ALPHABET.indexOf(char) ^ 1]!;
}
