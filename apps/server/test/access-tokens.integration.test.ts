import { generateSigningJwk } from "@lifeline/core";
import { createRemoteJWKSet, decodeProtectedHeader, importJWK, jwtVerify, SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";

import { startTestServer, type TestServer } from "../src/testing";

let server: TestServer;
let accessToken: string;
let userId: string;
let sessionId: string;

async function trpc(path: string, init: { method?: string; body?: unknown; token?: string } = {}) {
  const res = await server.app.inject({
    method: init.method ?? "POST",
    url: `/trpc/${path}`,
    headers: {
      "content-type": "application/json",
      ...(init.token ? { authorization: `Bearer ${init.token}` } : {}),
    },
    ...(init.body === undefined ? {} : { payload: JSON.stringify(init.body) }),
  });
  return {
    status: res.statusCode,
    body: res.json<{
      result?: { data: unknown };
      error?: { message: string; data: { code: string } };
    }>(),
  };
}

const me = (token: string) => trpc("auth.me", { method: "GET", token });

beforeAll(async () => {
  const signingKeys = JSON.stringify([await generateSigningJwk("current")]);
  server = await startTestServer({
    databaseUrl: inject("databaseUrl"),
    listen: true,
    env: { JWT_SIGNING_KEYS: signingKeys },
  });
  const credentials = { email: "jwt-probe@example.com", password: "correct horse battery" };
  await trpc("auth.register", { body: credentials });
  const login = await trpc("auth.login", { body: credentials });
  const data = login.body.result?.data as { accessToken: string; user: { id: string } };
  accessToken = data.accessToken;
  userId = data.user.id;
  sessionId = (await server.deps.accessTokens.verify(accessToken)).sessionId;
});
afterAll(() => server.close());

/** Signs claims of our shape with any key and options, to forge tokens. */
async function forge(options: {
  alg?: string;
  kid?: string;
  audience?: string;
  exp?: number | string;
  key?: Parameters<SignJWT["sign"]>[0];
}) {
  const jwk = await generateSigningJwk("attacker");
  const key = options.key ?? (await importJWK(jwk, "EdDSA"));
  return new SignJWT({ sid: sessionId })
    .setProtectedHeader({ alg: options.alg ?? "EdDSA", kid: options.kid ?? "attacker", typ: "JWT" })
    .setSubject(userId)
    .setIssuer(server.env.JWT_ISSUER)
    .setAudience(options.audience ?? server.env.JWT_AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(options.exp ?? "15m")
    .sign(key);
}

function base64url(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString("base64url");
}

describe("access tokens", () => {
  it("accepts the token login issued", async () => {
    const res = await me(accessToken);
    expect(res.status).toBe(200);
    expect(res.body.result?.data).toMatchObject({
      user: { id: userId, email: "jwt-probe@example.com" },
    });
  });

  it("puts kid and EdDSA in the header", () => {
    const header = decodeProtectedHeader(accessToken);
    expect(header.alg).toBe("EdDSA");
    expect(header.kid).toBe(server.deps.accessTokens.jwks().keys[0]?.kid);
  });

  it("refuses a missing or malformed Authorization header", async () => {
    expect((await trpc("auth.me", { method: "GET" })).status).toBe(401);
    const res = await server.app.inject({
      method: "GET",
      url: "/trpc/auth.me",
      headers: { authorization: `Token ${accessToken}` },
    });
    expect(res.statusCode).toBe(401);
  });

  it("refuses an expired token", async () => {
    const [kid] = server.deps.accessTokens.jwks().keys.map((k) => k.kid);
    // Signed by the server's own key, so only the expiry is wrong.
    const expired = await new SignJWT({ sid: sessionId })
      .setProtectedHeader({ alg: "EdDSA", kid: kid ?? "", typ: "JWT" })
      .setSubject(userId)
      .setIssuer(server.env.JWT_ISSUER)
      .setAudience(server.env.JWT_AUDIENCE)
      .setIssuedAt(Math.floor(Date.now() / 1000) - 3600)
      .setExpirationTime(Math.floor(Date.now() / 1000) - 1800)
      .sign(await serverPrivateKey());
    const res = await me(expired);
    expect(res.status).toBe(401);
    expect(res.body.error?.message).toBe("Access token expired");
  });

  it("refuses a tampered token (payload changed, signature kept)", async () => {
    const [header, payload, signature] = accessToken.split(".");
    const claims = JSON.parse(Buffer.from(payload ?? "", "base64url").toString()) as Record<
      string,
      unknown
    >;
    const tampered = [
      header,
      base64url({ ...claims, sub: "00000000-0000-4000-8000-000000000000" }),
      signature,
    ].join(".");
    expect((await me(tampered)).status).toBe(401);
  });

  it("refuses alg: none", async () => {
    const claims = JSON.parse(
      Buffer.from(accessToken.split(".")[1] ?? "", "base64url").toString(),
    ) as unknown;
    const unsigned = `${base64url({ alg: "none", typ: "JWT" })}.${base64url(claims)}.`;
    expect((await me(unsigned)).status).toBe(401);
  });

  it("refuses an HMAC token keyed with the public key (algorithm confusion)", async () => {
    const publicX = server.deps.accessTokens.jwks().keys[0]?.x ?? "";
    const confused = await forge({
      alg: "HS256",
      kid: server.deps.accessTokens.jwks().keys[0]?.kid ?? "",
      key: new TextEncoder().encode(publicX),
    });
    expect((await me(confused)).status).toBe(401);
  });

  it("refuses a token for another audience", async () => {
    const token = await new SignJWT({ sid: sessionId })
      .setProtectedHeader({
        alg: "EdDSA",
        kid: server.deps.accessTokens.jwks().keys[0]?.kid ?? "",
        typ: "JWT",
      })
      .setSubject(userId)
      .setIssuer(server.env.JWT_ISSUER)
      .setAudience("some-other-service")
      .setIssuedAt()
      .setExpirationTime("15m")
      .sign(await serverPrivateKey());
    expect((await me(token)).status).toBe(401);
  });

  it("refuses a token signed by another key, even with our kid", async () => {
    expect((await me(await forge({}))).status).toBe(401);
    expect(
      (await me(await forge({ kid: server.deps.accessTokens.jwks().keys[0]?.kid ?? "" }))).status,
    ).toBe(401);
  });
});

describe("GET /.well-known/jwks.json", () => {
  it("publishes public keys only, and a standard JOSE library verifies our tokens with them", async () => {
    const res = await fetch(`${server.url}/.well-known/jwks.json`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { keys: Record<string, unknown>[] };
    expect(body.keys.length).toBeGreaterThan(0);
    for (const key of body.keys) expect(key).not.toHaveProperty("d");

    const jwks = createRemoteJWKSet(new URL(`${server.url}/.well-known/jwks.json`));
    const { payload } = await jwtVerify(accessToken, jwks, {
      issuer: server.env.JWT_ISSUER,
      audience: server.env.JWT_AUDIENCE,
    });
    expect(payload).toMatchObject({ sub: userId, sid: sessionId });
  });
});

describe("key rotation", () => {
  it("keeps accepting tokens of a retired key that is still listed, and signs with the first", async () => {
    const rotated = await startTestServer({
      databaseUrl: inject("databaseUrl"),
      env: {
        JWT_SIGNING_KEYS: JSON.stringify([
          await generateSigningJwk("next"),
          JSON.parse(server.env.JWT_SIGNING_KEYS ?? "[]")[0],
        ]),
      },
    });
    try {
      const old = await rotated.app.inject({
        method: "GET",
        url: "/trpc/auth.me",
        headers: { authorization: `Bearer ${accessToken}` },
      });
      expect(old.statusCode).toBe(200);
      const kids = rotated.deps.accessTokens.jwks().keys.map((k) => k.kid);
      expect(kids).toEqual(["next", "current"]);
      const fresh = await rotated.deps.accessTokens.sign({ userId, sessionId });
      expect(decodeProtectedHeader(fresh.token).kid).toBe("next");
    } finally {
      await rotated.close();
    }
  });
});

/** The server's signing key, read back from its configuration for the forged-claims tests. */
async function serverPrivateKey() {
  const keys = JSON.parse(server.env.JWT_SIGNING_KEYS ?? "[]") as Parameters<typeof importJWK>[0][];
  const [jwk] = keys;
  if (!jwk) throw new Error("test server needs explicit JWT_SIGNING_KEYS");
  return importJWK(jwk, "EdDSA");
}
