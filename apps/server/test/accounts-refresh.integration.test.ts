import { decryptAccountTokens, type ProviderId } from "@lifeline/core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";

import { startTestServer, type TestServer } from "../src/testing";
import { LEAK } from "./support/http";
import {
  api,
  consent,
  followCallback,
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
 * POST /api/accounts/{id}/refresh through the real HTTP routes: accounts linked by the link
 * flow against the emulators, then refreshed now, refused, or failing at the provider.
 */

describe("accounts.refresh (POST /api/accounts/{id}/refresh)", () => {
  let server: TestServer;
  let emulation: Emulation;

  beforeAll(async () => {
    server = await startTestServer({
      databaseUrl: inject("databaseUrl"),
      env: { ...providerEnv(), RATE_LIMIT_LINK_CALLBACK_MAX: "100000" },
    });
    emulation = startEmulation(server);
  });
  afterAll(async () => {
    emulation.msw.close();
    await server.close();
  });

  /** Links a new provider account for `user` the way a browser does; its row id. */
  async function link(user: SignedIn, provider: ProviderId): Promise<string> {
    const emulator = emulation.emulators[provider];
    useNewProviderAccount(emulator, provider);
    const { authorizeUrl } = await startLink(server, user, provider);
    const answer = await followCallback(server, await consent(emulator, authorizeUrl), uniqueIp());
    expect(answer.status).toBe(302);
    const row = await server.deps.db.linkedAccount.findFirstOrThrow({
      where: { userId: user.userId, provider },
      orderBy: { createdAt: "desc" },
    });
    return row.id;
  }

  const stored = async (id: string) =>
    decryptAccountTokens(
      server.deps.tokenCipher,
      await server.deps.db.linkedAccount.findUniqueOrThrow({ where: { id } }),
    );

  it("refreshes now and answers the account without any token", async () => {
    const user = await signIn(server, "refresh-x");
    const id = await link(user, "x");
    const before = await stored(id);

    const res = await api(server, "POST", `/accounts/${id}/refresh`, user.token);
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json<{ outcome: string; account: Record<string, unknown> }>();
    expect(body.outcome).toBe("refreshed");
    expect(body.account).toMatchObject({
      id,
      provider: "x",
      status: "active",
      lastRefreshError: null,
    });
    expect(body.account.lastRefreshAt).toEqual(expect.any(String));

    const after = await stored(id);
    expect(after?.accessToken).not.toBe(before?.accessToken);
    expect(after?.refreshToken).not.toBe(before?.refreshToken);
    for (const token of [before, after].flatMap((t) => [t?.accessToken, t?.refreshToken])) {
      expect(res.body).not.toContain(token ?? "-");
    }
    expect(res.body).not.toMatch(LEAK);
    expect(res.body).not.toMatch(/accessToken|refreshToken|TokenEnc/);
  });

  it("another user's account, an unknown id and an unlinked one are the same 404", async () => {
    const owner = await signIn(server, "refresh-owner");
    const other = await signIn(server, "refresh-other");
    const id = await link(owner, "google");
    const theirs = await api(server, "POST", `/accounts/${id}/refresh`, other.token);
    expect(theirs.statusCode).toBe(404);
    const unknown = await api(
      server,
      "POST",
      "/accounts/00000000-0000-4000-8000-000000000000/refresh",
      other.token,
    );
    expect(unknown.statusCode).toBe(404);
    const error = (res: typeof theirs) => {
      const { code, message } = res.json<{ error: { code: string; message: string } }>().error;
      return { code, message };
    };
    expect(error(theirs)).toEqual(error(unknown));

    expect((await api(server, "DELETE", `/accounts/${id}`, owner.token)).statusCode).toBe(200);
    expect((await api(server, "POST", `/accounts/${id}/refresh`, owner.token)).statusCode).toBe(
      404,
    );
  });

  it("refuses a malformed id (400) and a missing token (401)", async () => {
    const user = await signIn(server, "refresh-bad");
    const bad = await api(server, "POST", "/accounts/not-a-uuid/refresh", user.token);
    expect(bad.statusCode).toBe(400);
    expect(bad.body).not.toMatch(LEAK);
    const anonymous = await api(
      server,
      "POST",
      "/accounts/00000000-0000-4000-8000-000000000000/refresh",
      null,
    );
    expect(anonymous.statusCode).toBe(401);
  });

  it("a revoked grant is 409 needs_relink: flagged once, one audit event, one email", async () => {
    const user = await signIn(server, "refresh-revoked");
    const id = await link(user, "microsoft");
    for (const grant of emulation.emulators.microsoft.oauth.grants.values()) grant.revoked = true;

    const first = await api(server, "POST", `/accounts/${id}/refresh`, user.token);
    expect(first.statusCode, first.body).toBe(409);
    expect(first.json()).toMatchObject({ error: { code: "CONFLICT", reason: "needs_relink" } });
    expect(first.json<{ error: { message: string } }>().error.message).toMatch(
      /link the account again/,
    );
    const second = await api(server, "POST", `/accounts/${id}/refresh`, user.token);
    expect(second.statusCode).toBe(409);
    expect(second.json()).toMatchObject({ error: { reason: "needs_relink" } });

    const row = await server.deps.db.linkedAccount.findUniqueOrThrow({ where: { id } });
    expect(row.status).toBe("needs_reauth");
    const audits = await server.deps.db.auditEvent.findMany({
      where: { userId: user.userId, type: "account_needs_reauth" },
    });
    expect(audits).toHaveLength(1);
    const emails = (await server.deps.jobs.queue("email").getJobs(["waiting", "delayed"])).filter(
      (job) => (job.data as { linkedAccountId?: string }).linkedAccountId === id,
    );
    expect(emails).toHaveLength(1);
    const list = await api(server, "GET", "/accounts", user.token);
    expect(list.json<{ accounts: { id: string; status: string }[] }>().accounts).toContainEqual(
      expect.objectContaining({ id, status: "needs_reauth" }),
    );
  });

  it("a provider outage is 503 retry_later with Retry-After; the account is unchanged", async () => {
    const user = await signIn(server, "refresh-503");
    const id = await link(user, "google");
    const before = await server.deps.db.linkedAccount.findUniqueOrThrow({ where: { id } });
    emulation.emulators.google.faults.add({
      path: "/token",
      response: { type: "server_error", status: 503 },
    });
    const res = await api(server, "POST", `/accounts/${id}/refresh`, user.token);
    expect(res.statusCode, res.body).toBe(503);
    expect(res.json()).toMatchObject({
      error: { code: "SERVICE_UNAVAILABLE", reason: "retry_later" },
    });
    expect(Number(res.headers["retry-after"])).toBeGreaterThan(0);
    const after = await server.deps.db.linkedAccount.findUniqueOrThrow({ where: { id } });
    expect(after.status).toBe("active");
    expect(after.accessTokenEnc).toBe(before.accessTokenEnc);
    expect(after.lastRefreshError).toMatch(/^retry_later: /);
  });

  it("facebook cannot be refreshed: 200 with not_refreshable and why", async () => {
    const user = await signIn(server, "refresh-fb");
    const id = await link(user, "facebook");
    const res = await api(server, "POST", `/accounts/${id}/refresh`, user.token);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({
      outcome: "not_refreshable",
      detail: expect.stringMatching(/facebook/),
      account: { id, status: "active" },
    });
  });
});
