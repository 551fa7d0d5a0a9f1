import { randomUUID } from "node:crypto";

import { decryptAccountTokens, generateCipherKey, type ProviderId } from "@lifeline/core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";

import { startTestServer, type TestServer } from "../src/testing";
import { LEAK } from "./support/http";
import {
  api,
  auditEvents,
  consent,
  followCallback,
  linkedAccounts,
  logIn,
  outcome,
  providerEnv,
  signIn,
  startEmulation,
  startLink,
  uniqueIp,
  useNewProviderAccount,
  type Emulation,
  type SignedIn,
} from "./support/linking";

/**
 * accounts.providers, accounts.list and accounts.unlink through the real routes; a provider
 * without credentials; the callback's own per-client limit; token keys rotating under
 * linked rows (a second server on the same database with a new key first).
 */

const OLD_KEY = generateCipherKey("k1");
const NEW_KEY = generateCipherKey("k2");

interface AccountJson {
  id: string;
  provider: string;
  status: string;
  handle: string | null;
}

describe("managing linked accounts", () => {
  let server: TestServer;
  let emulation: Emulation;

  beforeAll(async () => {
    // LinkedIn left unconfigured: no credentials, no stand-in.
    server = await startTestServer({
      databaseUrl: inject("databaseUrl"),
      env: {
        ...providerEnv(["instagram", "x", "facebook", "google", "microsoft"]),
        TOKEN_ENCRYPTION_KEYS: OLD_KEY,
        RATE_LIMIT_LINK_CALLBACK_MAX: "5",
      },
    });
    emulation = startEmulation(server);
  });
  afterAll(async () => {
    emulation.msw.close();
    await server.close();
  });

  async function link(user: SignedIn, provider: ProviderId, on = server) {
    const emulator = emulation.emulators[provider];
    useNewProviderAccount(emulator, provider);
    const { authorizeUrl } = await startLink(on, user, provider);
    const answer = await followCallback(on, await consent(emulator, authorizeUrl), uniqueIp());
    expect(outcome(answer.location)).toEqual({ link: "success", provider });
    const rows = await linkedAccounts(on, user.userId);
    const row = rows.find((r) => r.provider === provider && r.status === "active");
    if (!row) throw new Error("not linked");
    return row;
  }

  it("providers: all six, the unconfigured one unavailable", async () => {
    const user = await signIn(server, "providers");
    const res = await api(server, "GET", "/accounts/providers", user.token);
    expect(res.statusCode).toBe(200);
    const { providers } = res.json<{ providers: { provider: string; available: boolean }[] }>();
    expect(providers.map((p) => [p.provider, p.available])).toEqual([
      ["instagram", true],
      ["x", true],
      ["facebook", true],
      ["google", true],
      ["microsoft", true],
      ["linkedin", false],
    ]);
    expect((await api(server, "GET", "/accounts/providers", null)).statusCode).toBe(401);
  });

  it("startLink on an unconfigured provider is a 503 misconfigured (audited), not a 500", async () => {
    const user = await signIn(server, "unconfigured");
    const res = await api(server, "POST", "/accounts/linkedin/link", user.token, {});
    expect(res.statusCode).toBe(503);
    expect(res.json()).toMatchObject({
      error: { code: "SERVICE_UNAVAILABLE", reason: "misconfigured" },
    });
    expect(res.json<{ error: { message: string } }>().error.message).toMatch(/not configured/);
    const refused = await auditEvents(server, user.userId, "account_link_refused");
    expect(refused.map((e) => e.data)).toEqual([
      { reason: "provider_not_configured", provider: "linkedin", step: "start" },
    ]);
    // Unknown providers are bad input.
    const unknown = await api(server, "POST", "/accounts/myspace/link", user.token, {});
    expect(unknown.statusCode).toBe(400);
  });

  it("startLink refuses a client redirect URI off the allow-list, and uses an allowed one", async () => {
    const user = await signIn(server, "redirects");
    const evil = await api(server, "POST", "/accounts/google/link", user.token, {
      redirectUri: "https://evil.example/steal",
    });
    expect(evil.statusCode).toBe(400);
    expect(evil.body).toContain("redirectUri");
    const own = await api(server, "POST", "/accounts/google/link", user.token, {
      redirectUri: "http://frontend.test/accounts/finish",
    });
    expect(own.statusCode).toBe(200);
    const url = new URL(own.json<{ authorizeUrl: string }>().authorizeUrl);
    expect(url.searchParams.get("redirect_uri")).toBe("http://frontend.test/accounts/finish");
  });

  it("list: status, handle, expiry and refresh fields of your accounts only, never a token", async () => {
    const user = await signIn(server, "lister");
    const other = await signIn(server, "lister-other");
    const x = await link(user, "x");
    await link(user, "google");
    await link(other, "microsoft");
    const tokens = decryptAccountTokens(server.deps.tokenCipher, x);

    const res = await api(server, "GET", "/accounts", user.token);
    expect(res.statusCode).toBe(200);
    const { accounts } = res.json<{ accounts: AccountJson[] }>();
    expect(accounts.map((a) => [a.provider, a.status])).toEqual([
      ["x", "active"],
      ["google", "active"],
    ]);
    expect(accounts[0]).toMatchObject({ id: x.id, handle: x.handle, lastRefreshError: null });
    expect(Object.keys(accounts[0] ?? {}).sort()).toEqual(
      [
        "displayName",
        "expiresAt",
        "handle",
        "id",
        "lastRefreshAt",
        "lastRefreshError",
        "lastSyncedAt",
        "linkedAt",
        "provider",
        "providerAccountId",
        "scopes",
        "status",
        "updatedAt",
      ].sort(),
    );
    for (const secret of [tokens?.accessToken, tokens?.refreshToken, x.accessTokenEnc]) {
      expect(res.body).not.toContain(secret);
    }
    // The same over tRPC.
    const trpc = await server.app.inject({
      method: "GET",
      url: "/trpc/accounts.list",
      headers: { authorization: `Bearer ${user.token}` },
    });
    expect(trpc.statusCode).toBe(200);
    expect(trpc.body).not.toContain(tokens?.accessToken);
  });

  it("unlink: revokes where the provider can, deletes the tokens, keeps the media; audited", async () => {
    const user = await signIn(server, "unlinker");
    const x = await link(user, "x");
    const instagram = await link(user, "instagram");
    const item = await server.deps.db.mediaItem.create({
      data: {
        userId: user.userId,
        source: "provider",
        linkedAccountId: x.id,
        providerItemId: "post-1",
        kind: "post",
        takenAt: new Date(),
      },
    });
    const tokens = decryptAccountTokens(server.deps.tokenCipher, x);

    const res = await api(server, "DELETE", `/accounts/${x.id}`, user.token);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toEqual({ ok: true, revocation: "revoked" });
    // X was asked to revoke: the token no longer works there.
    expect(emulation.emulators.x.oauth.checkAccess(tokens?.accessToken ?? "").ok).toBe(false);
    const row = await server.deps.db.linkedAccount.findUnique({ where: { id: x.id } });
    expect(row).toMatchObject({ status: "revoked", accessTokenEnc: null, refreshTokenEnc: null });
    expect(await server.deps.db.mediaItem.findUnique({ where: { id: item.id } })).toMatchObject({
      linkedAccountId: x.id,
      userId: user.userId,
    });
    // Instagram has no revoke API: the tokens are simply deleted.
    const ig = await api(server, "DELETE", `/accounts/${instagram.id}`, user.token);
    expect(ig.json()).toEqual({ ok: true, revocation: "not_supported" });

    const unlinked = await auditEvents(server, user.userId, "account_unlinked");
    expect(unlinked.map((e) => e.data)).toEqual([
      { provider: "x", linkedAccountId: x.id, revocation: "revoked" },
      { provider: "instagram", linkedAccountId: instagram.id, revocation: "not_supported" },
    ]);
    // Gone from the list; a second unlink is NOT_FOUND.
    const list = await api(server, "GET", "/accounts", user.token);
    expect(list.json<{ accounts: unknown[] }>().accounts).toEqual([]);
    expect((await api(server, "DELETE", `/accounts/${x.id}`, user.token)).statusCode).toBe(404);
  });

  it("unlink: a provider failing to revoke does not block", async () => {
    const user = await signIn(server, "revoke-fails");
    const google = await link(user, "google");
    emulation.emulators.google.faults.add({ path: "/revoke", response: { type: "server_error" } });
    emulation.emulators.google.faults.add({ path: "/revoke", response: { type: "network" } });
    const res = await api(server, "DELETE", `/accounts/${google.id}`, user.token);
    expect(res.statusCode).toBe(200);
    expect(["revoked", "failed"]).toContain(res.json<{ revocation: string }>().revocation);
    expect(
      await server.deps.db.linkedAccount.findUnique({ where: { id: google.id } }),
    ).toMatchObject({
      status: "revoked",
      accessTokenEnc: null,
    });
    emulation.emulators.google.faults.clear();
  });

  it("unlink: another user's account is NOT_FOUND exactly like an unknown id", async () => {
    const owner = await signIn(server, "owner");
    const other = await signIn(server, "intruder");
    const account = await link(owner, "facebook");
    const theirs = await api(server, "DELETE", `/accounts/${account.id}`, other.token);
    const unknown = await api(server, "DELETE", `/accounts/${randomUUID()}`, other.token);
    expect(theirs.statusCode).toBe(404);
    expect(unknown.statusCode).toBe(404);
    const strip = (body: string) => body.replace(/"requestId":"[^"]+"/, "");
    expect(strip(theirs.body)).toBe(strip(unknown.body));
    expect(theirs.body).not.toMatch(LEAK);
    expect(
      await server.deps.db.linkedAccount.findUnique({ where: { id: account.id } }),
    ).toMatchObject({ status: "active" });
    expect((await api(server, "DELETE", "/accounts/not-a-uuid", other.token)).statusCode).toBe(400);
  });

  it("the callback has its own limit per client IP, and then still redirects", async () => {
    const ip = "192.0.2.77";
    const hit = () =>
      followCallback(server, new URL("http://x/api/accounts/x/callback?code=a&state=b"), ip);
    for (let i = 0; i < 5; i++)
      expect(outcome((await hit()).location).reason).toBe("state_unknown");
    const limited = await hit();
    expect(limited.status).toBe(302);
    expect(outcome(limited.location)).toEqual({
      link: "error",
      provider: "x",
      reason: "too_many_requests",
    });
    // Another client is not affected.
    const elsewhere = await followCallback(
      server,
      new URL("http://x/api/accounts/x/callback?code=a&state=b"),
      "192.0.2.78",
    );
    expect(outcome(elsewhere.location).reason).toBe("state_unknown");
  });

  it("the callback for an unknown provider, or with an oversized parameter, still redirects", async () => {
    const unknown = await followCallback(
      server,
      new URL("http://x/api/accounts/myspace/callback?code=a&state=b"),
      uniqueIp(),
    );
    expect(outcome(unknown.location)).toEqual({ link: "error", reason: "unknown_provider" });
    const big = await followCallback(
      server,
      new URL(`http://x/api/accounts/x/callback?code=${"a".repeat(5000)}&state=b`),
      uniqueIp(),
    );
    expect(outcome(big.location)).toEqual({ link: "error", provider: "x", reason: "bad_request" });
  });

  it("is in /openapi.json: the callback public, the procedures behind the bearer", async () => {
    const doc = (await server.app.inject({ url: "/openapi.json" })).json<{
      paths: Record<
        string,
        Record<string, { security?: unknown; responses: Record<string, unknown> }>
      >;
    }>();
    const callback = doc.paths["/accounts/{provider}/callback"]?.get;
    expect(callback?.security).toBeUndefined();
    expect(Object.keys(callback?.responses ?? {})).toContain("302");
    for (const [path, method] of [
      ["/accounts/providers", "get"],
      ["/accounts", "get"],
      ["/accounts/{provider}/link", "post"],
      ["/accounts/{provider}/complete", "post"],
      ["/accounts/{id}", "delete"],
    ] as const) {
      expect(doc.paths[path]?.[method]?.security, `${method} ${path}`).toBeDefined();
    }
  });

  it("key rotation: rows written under the old key still read once a new key is first", async () => {
    const user = await signIn(server, "rotation");
    const x = await link(user, "x");
    expect(x.accessTokenEnc).toMatch(/^v1\.k1\./);
    const tokens = decryptAccountTokens(server.deps.tokenCipher, x);

    const rotated = await startTestServer({
      databaseUrl: inject("databaseUrl"),
      env: {
        ...providerEnv(["instagram", "x", "facebook", "google", "microsoft"]),
        TOKEN_ENCRYPTION_KEYS: `${NEW_KEY},${OLD_KEY}`,
      },
    });
    try {
      // The second server signs its own access tokens: sign in there.
      const there = { ...user, token: await logIn(rotated, user.email) };
      expect(decryptAccountTokens(rotated.deps.tokenCipher, x)).toEqual(tokens);
      // A new link is written under the new key...
      const google = await link(there, "google", rotated);
      expect(google.accessTokenEnc).toMatch(/^v1\.k2\./);
      // ...and the old row is still usable: unlinking decrypts it to revoke at X.
      const res = await api(rotated, "DELETE", `/accounts/${x.id}`, there.token);
      expect(res.json()).toEqual({ ok: true, revocation: "revoked" });
      expect(emulation.emulators.x.oauth.checkAccess(tokens?.accessToken ?? "").ok).toBe(false);
    } finally {
      await rotated.close();
    }
  });
});
