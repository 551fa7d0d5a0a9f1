import { createHash, randomBytes } from "node:crypto";

import { decryptAccountTokens, PROVIDER_IDS, type ProviderId } from "@lifeline/core";
import { createRedis } from "@lifeline/queue";
import { silentLogger } from "@lifeline/logger";
import type { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";

import { startTestServer, type TestServer } from "../src/testing";
import { LEAK } from "./support/http";
import {
  api,
  auditByIp,
  auditEvents,
  consent,
  followCallback,
  linkedAccounts,
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
 * Linking through the real HTTP routes against each provider's emulation: startLink, the
 * consent screen, the public callback and its redirect to the frontend, completeLink for
 * clients that own their redirect URI, and every refusal (each audited, none writing a
 * LinkedAccount).
 */

describe("linking provider accounts", () => {
  let server: TestServer;
  let emulation: Emulation;
  let redis: Redis;

  beforeAll(async () => {
    server = await startTestServer({
      databaseUrl: inject("databaseUrl"),
      env: { ...providerEnv(), RATE_LIMIT_LINK_CALLBACK_MAX: "100000" },
    });
    emulation = startEmulation(server);
    redis = createRedis(inject("redisUrl"), silentLogger());
  });
  afterAll(async () => {
    emulation.msw.close();
    redis.disconnect();
    await server.close();
  });

  /** The emulator, logging in a provider account no other test has linked. */
  const emulator = (id: ProviderId) => {
    useNewProviderAccount(emulation.emulators[id], id);
    return emulation.emulators[id];
  };

  describe.each(PROVIDER_IDS)("%s", (provider) => {
    it("links through startLink, the consent screen and the callback", async () => {
      const user = await signIn(server, provider);
      const ip = uniqueIp();
      const { authorizeUrl, state } = await startLink(server, user, provider);
      // 192 bits of state; a PKCE S256 challenge where the provider takes one.
      expect(Buffer.from(state, "base64url").length).toBeGreaterThanOrEqual(16);
      const usesPkce = server.deps.providers.get(provider).usesPkce;
      expect(authorizeUrl.searchParams.get("code_challenge_method")).toBe(usesPkce ? "S256" : null);
      expect(authorizeUrl.searchParams.get("redirect_uri")).toBe(
        `http://localhost:3000/api/accounts/${provider}/callback`,
      );

      const callback = await consent(emulator(provider), authorizeUrl);
      expect(callback.pathname).toBe(`/api/accounts/${provider}/callback`);
      const code = callback.searchParams.get("code") ?? "";
      const answer = await followCallback(server, callback, ip);
      expect(answer.status).toBe(302);
      expect(outcome(answer.location)).toEqual({ link: "success", provider });
      expect(answer.location.href).not.toContain(code);
      expect(answer.location.href).not.toContain(state);

      const [row, ...others] = await linkedAccounts(server, user.userId);
      expect(others).toEqual([]);
      expect(row).toMatchObject({ provider, status: "active", lastRefreshError: null });
      if (!row) return;
      // The tokens are stored encrypted: the ciphertext holds no plain token...
      const tokens = decryptAccountTokens(server.deps.tokenCipher, row);
      expect(tokens?.accessToken).toBeTruthy();
      expect(emulation.emulators[provider].oauth.access.has(tokens?.accessToken ?? "")).toBe(true);
      expect(row.accessTokenEnc).toMatch(/^v1\./);
      expect(row.accessTokenEnc).not.toContain(tokens?.accessToken);
      if (tokens?.refreshToken) {
        expect(row.refreshTokenEnc).not.toContain(tokens.refreshToken);
      }
      // ...nor does any column of the row, read as text by Postgres.
      const asText = await server.deps.db.$queryRaw<{ row: string }[]>`
        SELECT l::text AS row FROM linked_accounts l WHERE l.id = ${row.id}::uuid`;
      expect(asText[0]?.row).not.toContain(tokens?.accessToken);
      // Meta's long-lived step was applied (60 days rather than an hour or two).
      if (provider === "instagram" || provider === "facebook") {
        expect(row.expiresAt?.getTime()).toBeGreaterThan(Date.now() + 30 * 86_400_000);
      }

      const linked = await auditByIp(server, ip);
      expect(linked.map((e) => e.type)).toEqual(["account_linked"]);
      expect(linked[0]?.userId).toBe(user.userId);
      const started = await auditEvents(server, user.userId, "account_link_started");
      expect(started).toHaveLength(1);
      // No audit event holds a token, code or state.
      const audits = JSON.stringify(
        await server.deps.db.auditEvent.findMany({ where: { userId: user.userId } }),
      );
      for (const secret of [tokens?.accessToken, code, state]) expect(audits).not.toContain(secret);
    });
  });

  it("completeLink finishes a link whose redirect the client owns, and refuses another user's state", async () => {
    const owner = await signIn(server, "owner");
    const other = await signIn(server, "other");
    const { authorizeUrl } = await startLink(server, owner, "google");
    const callback = await consent(emulator("google"), authorizeUrl);
    const input = {
      state: callback.searchParams.get("state"),
      code: callback.searchParams.get("code"),
    };

    const stolen = await api(server, "POST", "/accounts/google/complete", other.token, input);
    expect(stolen.statusCode).toBe(403);
    expect(stolen.json()).toMatchObject({
      error: { code: "FORBIDDEN", reason: "link_state_invalid" },
    });
    expect(await linkedAccounts(server, other.userId)).toEqual([]);
    expect(await linkedAccounts(server, owner.userId)).toEqual([]);
    const refused = await auditEvents(server, other.userId, "account_link_refused");
    expect(refused.map((e) => e.data)).toEqual([
      { reason: "state_other_user", provider: "google" },
    ]);

    // The owner starts again and finishes over tRPC with their own token.
    const again = await startLink(server, owner, "google");
    const back = await consent(emulator("google"), again.authorizeUrl);
    const res = await server.app.inject({
      method: "POST",
      url: "/trpc/accounts.completeLink",
      headers: { authorization: `Bearer ${owner.token}`, "content-type": "application/json" },
      payload: JSON.stringify({
        provider: "google",
        state: back.searchParams.get("state"),
        code: back.searchParams.get("code"),
      }),
    });
    expect(res.statusCode, res.body).toBe(200);
    const { account, relinked } = res.json<{
      result: { data: { account: Record<string, unknown>; relinked: boolean } };
    }>().result.data;
    expect(relinked).toBe(false);
    expect(account).toMatchObject({ provider: "google", status: "active" });
    expect(Object.keys(account).some((k) => /token/i.test(k))).toBe(false);
  });

  describe("refusals: a clear reason, an audit event, no LinkedAccount", () => {
    async function expectRefused(
      userId: string | null,
      ip: string,
      answer: { status: number; location: URL },
      provider: ProviderId,
      reason: string,
    ) {
      expect(answer.status).toBe(302);
      expect(outcome(answer.location)).toEqual({ link: "error", provider, reason });
      const events = await auditByIp(server, ip);
      expect(events.map((e) => [e.type, e.userId, (e.data as { reason?: string }).reason])).toEqual(
        [["account_link_refused", userId, reason]],
      );
      if (userId) expect(await linkedAccounts(server, userId)).toEqual([]);
    }

    it("a callback without a state", async () => {
      const ip = uniqueIp();
      const answer = await followCallback(
        server,
        new URL("http://x/api/accounts/instagram/callback?code=AQBabc"),
        ip,
      );
      await expectRefused(null, ip, answer, "instagram", "state_missing");
    });

    it("a state this server never issued", async () => {
      const ip = uniqueIp();
      const state = randomBytes(24).toString("base64url");
      const answer = await followCallback(
        server,
        new URL(`http://x/api/accounts/x/callback?code=abc&state=${state}`),
        ip,
      );
      await expectRefused(null, ip, answer, "x", "state_unknown");
    });

    it("a state used once already (a replayed callback)", async () => {
      const user = await signIn(server, "replay");
      const { authorizeUrl } = await startLink(server, user, "facebook");
      const callback = await consent(emulator("facebook"), authorizeUrl);
      const first = await followCallback(server, callback, uniqueIp());
      expect(outcome(first.location)).toEqual({ link: "success", provider: "facebook" });
      const before = await linkedAccounts(server, user.userId);

      const ip = uniqueIp();
      const replay = await followCallback(server, callback, ip);
      expect(outcome(replay.location)).toEqual({
        link: "error",
        provider: "facebook",
        reason: "state_reused",
      });
      const events = await auditByIp(server, ip);
      expect(events.map((e) => [e.type, (e.data as { reason?: string }).reason])).toEqual([
        ["account_link_refused", "state_reused"],
      ]);
      // The replay wrote nothing: the one row is exactly as the first callback left it.
      expect(await linkedAccounts(server, user.userId)).toEqual(before);
    });

    it("two callbacks racing with one state: exactly one links", async () => {
      const user = await signIn(server, "race");
      const { authorizeUrl } = await startLink(server, user, "microsoft");
      const callback = await consent(emulator("microsoft"), authorizeUrl);
      const answers = await Promise.all([
        followCallback(server, callback, uniqueIp()),
        followCallback(server, callback, uniqueIp()),
      ]);
      expect(answers.map((a) => outcome(a.location).link).sort()).toEqual(["error", "success"]);
      expect(answers.map((a) => outcome(a.location).reason).filter(Boolean)).toEqual([
        "state_reused",
      ]);
      expect(await linkedAccounts(server, user.userId)).toHaveLength(1);
    });

    it("a state consumed by a refusal cannot be used again either", async () => {
      const user = await signIn(server, "denied-then-code");
      const { authorizeUrl, state } = await startLink(server, user, "linkedin");
      const denied = await followCallback(
        server,
        new URL(`http://x/api/accounts/linkedin/callback?error=access_denied&state=${state}`),
        uniqueIp(),
      );
      expect(outcome(denied.location).reason).toBe("access_denied");
      const callback = await consent(emulator("linkedin"), authorizeUrl);
      const ip = uniqueIp();
      await expectRefused(
        null,
        ip,
        await followCallback(server, callback, ip),
        "linkedin",
        "state_reused",
      );
      expect(await linkedAccounts(server, user.userId)).toEqual([]);
    });

    it("an expired state (its 10 minutes in Redis are over)", async () => {
      const user = await signIn(server, "expired");
      const { authorizeUrl, state } = await startLink(server, user, "microsoft");
      const key = `${server.env.REDIS_KEY_PREFIX}oauth:state:${createHash("sha256").update(state).digest("hex")}`;
      const ttl = await redis.ttl(key);
      expect(ttl).toBeGreaterThan(590);
      expect(ttl).toBeLessThanOrEqual(600);
      // What ten minutes do: Redis drops the key.
      await redis.pexpire(key, 1);
      await new Promise((resolve) => setTimeout(resolve, 20));
      const callback = await consent(emulator("microsoft"), authorizeUrl);
      const ip = uniqueIp();
      await expectRefused(
        null,
        ip,
        await followCallback(server, callback, ip),
        "microsoft",
        "state_expired",
      );
      expect(await linkedAccounts(server, user.userId)).toEqual([]);
    });

    it("a state started for another provider", async () => {
      const user = await signIn(server, "mismatch");
      const { authorizeUrl } = await startLink(server, user, "instagram");
      const callback = await consent(emulator("instagram"), authorizeUrl);
      const ip = uniqueIp();
      const wrong = new URL(callback);
      wrong.pathname = "/api/accounts/facebook/callback";
      await expectRefused(
        user.userId,
        ip,
        await followCallback(server, wrong, ip),
        "facebook",
        "state_provider_mismatch",
      );
    });

    it("the user declining at the consent screen (error=access_denied)", async () => {
      const user = await signIn(server, "declined");
      const { authorizeUrl } = await startLink(server, user, "x");
      emulator("x").consent.deny = true;
      const callback = await consent(emulator("x"), authorizeUrl).finally(() => {
        emulator("x").consent.deny = false;
      });
      expect(callback.searchParams.get("error")).toBe("access_denied");
      const ip = uniqueIp();
      await expectRefused(
        user.userId,
        ip,
        await followCallback(server, callback, ip),
        "x",
        "access_denied",
      );
    });

    const tokenFaults = [
      [
        "the token endpoint's 400 (invalid_grant)",
        {
          type: "status",
          status: 400,
          body: {
            error: "invalid_grant",
            error_description: "Bad Request: code was already redeemed",
          },
        },
        "exchange_failed",
      ],
      ["the token endpoint's 500", { type: "server_error" }, "provider_unavailable"],
      [
        "malformed JSON from the token endpoint",
        { type: "malformed_json" },
        "provider_unavailable",
      ],
    ] as const;

    it.each(tokenFaults)("%s", async (_label, response, reason) => {
      const user = await signIn(server, "fault");
      const { authorizeUrl } = await startLink(server, user, "google");
      const callback = await consent(emulator("google"), authorizeUrl);
      emulator("google").faults.add({ path: /^\/token$/, method: "POST", response });
      const ip = uniqueIp();
      await expectRefused(
        user.userId,
        ip,
        await followCallback(server, callback, ip),
        "google",
        reason,
      );
      const [event] = await auditByIp(server, ip);
      expect(JSON.stringify(event?.data)).not.toContain("already redeemed");
    });

    it("over completeLink, a provider failure is a clear 4xx/503 that carries none of the provider's body", async () => {
      const user = await signIn(server, "complete-faults");
      const cases = [
        [
          {
            type: "status",
            status: 400,
            body: { error: "invalid_grant", error_description: "secret detail 7f3a" },
          },
          400,
          "needs_relink",
        ],
        [{ type: "server_error" }, 503, "retry_later"],
        [{ type: "malformed_json" }, 503, "retry_later"],
        [{ type: "rate_limit", retryAfterSeconds: 42 }, 503, "retry_later"],
      ] as const;
      for (const [response, status, reason] of cases) {
        const { authorizeUrl } = await startLink(server, user, "x");
        const callback = await consent(emulator("x"), authorizeUrl);
        emulator("x").faults.add({ path: "/2/oauth2/token", method: "POST", response });
        const res = await api(server, "POST", "/accounts/x/complete", user.token, {
          state: callback.searchParams.get("state"),
          code: callback.searchParams.get("code"),
        });
        expect(res.statusCode, res.body).toBe(status);
        expect(res.json()).toMatchObject({ error: { reason } });
        expect(res.body).not.toMatch(LEAK);
        expect(res.body).not.toContain("secret detail");
        if (response.type === "rate_limit") expect(res.headers["retry-after"]).toBe("42");
      }
      expect(await linkedAccounts(server, user.userId)).toEqual([]);
      const refused = await auditEvents(server, user.userId, "account_link_refused");
      expect(refused.map((e) => (e.data as { reason: string }).reason)).toEqual([
        "exchange_failed",
        "provider_unavailable",
        "provider_unavailable",
        "provider_unavailable",
      ]);
    });

    it("bad input over completeLink is a 400 naming the field", async () => {
      const user = await signIn(server, "bad-input");
      const res = await api(server, "POST", "/accounts/myspace/complete", user.token, {
        state: "",
      });
      expect(res.statusCode).toBe(400);
      expect(res.body).toContain("provider");
      expect(res.body).toContain("state");
    });
  });

  describe("one provider account, one user", () => {
    it("is refused to a second user while linked, taken once unlinked (media stay), and relinking reactivates the row", async () => {
      const first = await signIn(server, "first");
      const second = await signIn(server, "second");
      const link = async (user: SignedIn) => {
        const { authorizeUrl } = await startLink(server, user, "instagram");
        return followCallback(
          server,
          await consent(emulation.emulators.instagram, authorizeUrl),
          uniqueIp(),
        );
      };
      // From here on Instagram's consent screen logs everyone in as one professional account.
      useNewProviderAccount(emulation.emulators.instagram, "instagram");
      expect(outcome((await link(first)).location).link).toBe("success");
      const [original] = await linkedAccounts(server, first.userId);
      const media = await server.deps.db.mediaItem.create({
        data: {
          userId: first.userId,
          source: "provider",
          linkedAccountId: original?.id ?? null,
          providerItemId: "ig-1",
          kind: "image",
          takenAt: new Date(),
        },
      });

      expect(outcome((await link(second)).location)).toEqual({
        link: "error",
        provider: "instagram",
        reason: "account_taken",
      });
      expect(await linkedAccounts(server, second.userId)).toEqual([]);
      expect(await linkedAccounts(server, first.userId)).toHaveLength(1);

      // The first owner relinks: the same row, reactivated, new tokens.
      const relink = await link(first);
      expect(outcome(relink.location).link).toBe("success");
      const [again] = await linkedAccounts(server, first.userId);
      expect(again?.id).toBe(original?.id);
      expect(again?.accessTokenEnc).not.toBe(original?.accessTokenEnc);

      // Unlinked, the account may go to the second user; the first user's media stay theirs.
      const unlinked = await api(server, "DELETE", `/accounts/${original?.id}`, first.token);
      expect(unlinked.statusCode).toBe(200);
      expect(outcome((await link(second)).location).link).toBe("success");
      const [taken] = await linkedAccounts(server, second.userId);
      expect(taken).toMatchObject({
        status: "active",
        providerAccountId: original?.providerAccountId,
      });
      expect(await linkedAccounts(server, first.userId)).toEqual([]);
      const kept = await server.deps.db.mediaItem.findUnique({ where: { id: media.id } });
      expect(kept).toMatchObject({
        userId: first.userId,
        linkedAccountId: null,
        providerItemId: "ig-1",
      });
    });
  });
});
