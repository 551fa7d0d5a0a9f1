import { beforeEach, describe, expect, it } from "vitest";

import type { MediaItem, Provider, ProvidersConfig, TokenSet } from "../src/index";
import { LinkedInEmulator, type Clock, type LinkedInEmulatorOptions } from "../src/testing/index";
import {
  PNG_SIGNATURE,
  bytesOf,
  clientFor,
  consent,
  createClock,
  expectNoSecrets,
  mswFor,
  providerError,
  testConfig,
} from "./support";

const REDIRECT = "https://app.example/api/accounts/linkedin/callback";
const SUB = "782bbtaQ";
const DAY = 24 * 3600_000;

let clock: Clock;
let emulator: LinkedInEmulator;
let client: Provider;
let config = testConfig();
const msw = mswFor(
  () => config,
  () => ({ linkedin: emulator }),
);

function setup(
  options: LinkedInEmulatorOptions = {},
  edit: (c: ProvidersConfig) => void = () => {},
) {
  clock = createClock(new Date("2026-03-01T12:00:00Z"));
  emulator = new LinkedInEmulator({ clock, ...options });
  config = testConfig((c) => {
    c.linkedin.pageSize = 5;
    edit(c);
  });
  msw.install();
  client = clientFor("linkedin", config, clock);
}

/** An app approved for posts (r_member_social). */
const withPosts = (c: ProvidersConfig) => {
  c.linkedin.memberPosts = true;
  c.linkedin.scopes = [...c.linkedin.scopes, "r_member_social"];
};

async function link(): Promise<TokenSet> {
  const { code } = await consent(client.authorizeUrl({ state: "s", redirectUri: REDIRECT }));
  return client.exchangeCode({ code, redirectUri: REDIRECT });
}

describe("linkedin", () => {
  beforeEach(() => setup());

  it("authorizes without PKCE, for the self-serve identity scopes", () => {
    expect(client.usesPkce).toBe(false);
    const url = client.authorizeUrl({
      state: "st",
      codeChallenge: "ignored",
      redirectUri: REDIRECT,
    });
    expect(url.origin + url.pathname).toBe("https://www.linkedin.com/oauth/v2/authorization");
    expect(Object.fromEntries(url.searchParams)).toEqual({
      response_type: "code",
      client_id: "standin-linkedin-client",
      redirect_uri: REDIRECT,
      state: "st",
      scope: "openid profile email",
    });
    setup({}, withPosts);
    expect(
      client.authorizeUrl({ state: "s", redirectUri: REDIRECT }).searchParams.get("scope"),
    ).toBe("openid profile email r_member_social");
  });

  it("links: a 60-day token, scopes split on commas, no refresh token for a non-partner", async () => {
    const tokens = await link();
    expect(tokens.expiresAt?.getTime()).toBe(clock.now() + 60 * DAY);
    expect(tokens.scopes).toEqual(["email", "openid", "profile"]);
    expect(tokens.refreshToken).toBeUndefined();
    expect(tokens.accessToken.length).toBeGreaterThan(400);
    expect(client.canRefresh(tokens)).toBe(false);
    expect((await providerError(client.refresh!(tokens))).code).toBe("needs_relink");
    expect(await client.profile(tokens)).toMatchObject({
      id: SUB,
      email: "ada@example.com",
      otherIds: { urn: `urn:li:person:${SUB}` },
    });
  });

  it("for partners, refreshes without extending the refresh token's fixed end", async () => {
    setup({ partner: true });
    const tokens = await link();
    expect(tokens.refreshExpiresAt?.getTime()).toBe(clock.now() + 365 * DAY);
    clock.advance(50 * DAY);
    expect(client.canRefresh(tokens, clock.date())).toBe(true);
    const next = await client.refresh!(tokens);
    expect(next.accessToken).not.toBe(tokens.accessToken);
    expect(next.expiresAt?.getTime()).toBe(clock.now() + 60 * DAY);
    expect(next.refreshToken).toBe(tokens.refreshToken);
    expect(next.refreshExpiresAt?.getTime()).toBe(tokens.refreshExpiresAt?.getTime());
  });

  it.each([true, false])(
    "revokes on a best-effort basis (endpoint present: %s)",
    async (present) => {
      setup({ revokeEndpoint: present });
      const tokens = await link();
      await expect(client.revoke!(tokens)).resolves.toBeUndefined();
      clock.advance(10 * 60_000);
      const profile = client.profile(tokens);
      if (present) expect((await providerError(profile)).code).toBe("needs_relink");
      else await expect(profile).resolves.toMatchObject({ id: SUB });
    },
  );

  it("lists posts with start/count until a short page: images, multi-image, video, text, article", async () => {
    setup({}, withPosts);
    const tokens = await link();
    const items: MediaItem[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page = await client.listMedia({ tokens, accountId: SUB }, cursor);
      items.push(...page.items);
      cursor = page.nextCursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(5);
    expect(items).toHaveLength(20);
    expect(items.slice(0, 4).map((i) => i.children.map((c) => c.kind))).toEqual([
      [],
      ["image"],
      ["image", "image", "image"],
      ["video"],
    ]);
    expect(items[8]).toMatchObject({ caption: "Post 8", children: [] });
    expect(items[0]!.takenAt?.toISOString()).toBe("2024-06-01T12:42:05.000Z");
    expect(items[0]!.id).toBe("urn:li:share:7200000000000000000");
    const requests = emulator.requests.filter((r) => r.path === "/rest/posts");
    expect(requests.map((r) => r.query.get("start"))).toEqual(["0", "5", "10", "15", "20"]);
  });

  it("does not list posts unless the app is approved for r_member_social", async () => {
    const tokens = await link();
    expect((await providerError(client.listMedia({ tokens, accountId: SUB }))).code).toBe(
      "misconfigured",
    );
    setup({}, withPosts);
    emulator.consent.decline = ["r_member_social"];
    const partial = await link();
    expect((await providerError(client.listMedia({ tokens: partial, accountId: SUB }))).code).toBe(
      "needs_relink",
    );
  });

  it("downloads images and videos through fresh download URLs", async () => {
    setup({}, withPosts);
    const tokens = await link();
    const access = { tokens, accountId: SUB };
    const { items } = await client.listMedia(access);
    emulator.expireMediaUrls();
    const image = items[1]!.children[0]!;
    expect((await bytesOf(await client.download(access, image))).subarray(0, 4)).toEqual(
      PNG_SIGNATURE,
    );
    const video = items[3]!.children[0]!;
    expect((await bytesOf(await client.download(access, video))).subarray(4, 8).toString()).toBe(
      "ftyp",
    );
    emulator.corruptDownload(image.id);
    expect((await providerError(bytesOf(await client.download(access, image)))).code).toBe(
      "retry_later",
    );
  });

  describe("errors", () => {
    it.each(["invalid_request", "invalid_redirect_uri"] as const)(
      "a used or expired code labelled %s needs a new link",
      async (label) => {
        setup({ codeErrorLabel: label });
        const { code } = await consent(client.authorizeUrl({ state: "s", redirectUri: REDIRECT }));
        await client.exchangeCode({ code, redirectUri: REDIRECT });
        const error = await providerError(client.exchangeCode({ code, redirectUri: REDIRECT }));
        expect(error).toMatchObject({ code: "needs_relink", status: 400, providerCode: label });
        expectNoSecrets(error, [code, "standin-linkedin-secret"]);
      },
    );

    it("an unknown code (401) needs a new link; a wrong secret is misconfigured", async () => {
      expect(
        await providerError(client.exchangeCode({ code: "AQTnothing", redirectUri: REDIRECT })),
      ).toMatchObject({
        code: "needs_relink",
        status: 401,
      });
      emulator.clients.set("standin-linkedin-client", "changed");
      expect(
        await providerError(client.exchangeCode({ code: "AQTnothing", redirectUri: REDIRECT })),
      ).toMatchObject({
        code: "misconfigured",
        providerCode: "invalid_client",
      });
    });

    it("a dead refresh token needs a new link", async () => {
      setup({ partner: true });
      const tokens = await link();
      emulator.oauth.revokeAccount(SUB);
      const error = await providerError(client.refresh!(tokens));
      expect(error).toMatchObject({ code: "needs_relink", providerCode: "invalid_request" });
      expect(error.providerMessage).toMatch(/invalid, expired or revoked/);
    });

    it("a token endpoint 500 is retry_later", async () => {
      emulator.faults.add({ path: "/oauth/v2/accessToken", response: { type: "server_error" } });
      expect(
        await providerError(client.exchangeCode({ code: "c", redirectUri: REDIRECT })),
      ).toMatchObject({
        code: "retry_later",
        status: 500,
      });
    });

    it("a 429 waits until the daily limits reset at 00:00 UTC", async () => {
      setup({}, withPosts);
      const tokens = await link();
      emulator.faults.add({ path: "/rest/posts", response: { type: "rate_limit" } });
      expect(await providerError(client.listMedia({ tokens, accountId: SUB }))).toMatchObject({
        code: "retry_later",
        status: 429,
        retryAfterMs: 12 * 3600_000,
      });
    });

    it("malformed JSON is retry_later", async () => {
      const tokens = await link();
      emulator.faults.add({ path: "/v2/userinfo", response: { type: "malformed_json" } });
      expect((await providerError(client.profile(tokens))).code).toBe("retry_later");
    });

    it("a revoked token (401/65601) needs a new link, except just after it was minted", async () => {
      const tokens = await link();
      emulator.oauth.revokeAccount(SUB);
      expect(await providerError(client.profile(tokens))).toMatchObject({
        code: "retry_later",
        status: 401,
      });
      clock.advance(10 * 60_000);
      expect(await providerError(client.profile(tokens))).toMatchObject({
        code: "needs_relink",
        status: 401,
        providerCode: "REVOKED_ACCESS_TOKEN",
      });
    });

    it("a 403 on a granted r_member_social means the app is not approved: misconfigured", async () => {
      setup({}, withPosts);
      const tokens = await link();
      emulator.faults.add({
        path: "/rest/posts",
        response: {
          type: "status",
          status: 403,
          body: {
            status: 403,
            serviceErrorCode: 100,
            code: "ACCESS_DENIED",
            message: "Not enough permissions",
          },
        },
      });
      expect((await providerError(client.listMedia({ tokens, accountId: SUB }))).code).toBe(
        "misconfigured",
      );
    });
  });
});
