import { beforeEach, describe, expect, it } from "vitest";

import type { MediaItem, Provider, TokenSet } from "../src/index";
import { InstagramEmulator, type Clock } from "../src/testing/index";
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

const HOUR = 3600_000;
const REDIRECT = "https://app.example/api/accounts/instagram/callback";

let clock: Clock;
let emulator: InstagramEmulator;
let client: Provider;
let config = testConfig();
const msw = mswFor(
  () => config,
  () => ({ instagram: emulator }),
);

function setup(options: ConstructorParameters<typeof InstagramEmulator>[0] = {}) {
  clock = createClock(new Date("2026-03-01T12:00:00Z"));
  emulator = new InstagramEmulator({ clock, ...options });
  config = testConfig((c) => {
    c.instagram.pageSize = 50;
  });
  msw.install();
  client = clientFor("instagram", config, clock);
  return client;
}

async function link(): Promise<{ short: TokenSet; long: TokenSet }> {
  const { code } = await consent(client.authorizeUrl({ state: "s1", redirectUri: REDIRECT }));
  const short = await client.exchangeCode({ code, redirectUri: REDIRECT });
  const long = await client.exchangeLongLived!(short);
  return { short, long };
}

describe("instagram", () => {
  beforeEach(() => setup());

  it("builds the authorize URL without PKCE, with the business scope and the state", () => {
    expect(client.usesPkce).toBe(false);
    const url = client.authorizeUrl({
      state: "st-123",
      codeChallenge: "ignored",
      redirectUri: REDIRECT,
    });
    expect(url.origin + url.pathname).toBe("https://www.instagram.com/oauth/authorize");
    expect(Object.fromEntries(url.searchParams)).toEqual({
      client_id: "standin-instagram-client",
      redirect_uri: REDIRECT,
      response_type: "code",
      scope: "instagram_business_basic",
      state: "st-123",
    });
  });

  it("links: the redirect carries code, state and #_, then short and long-lived tokens", async () => {
    const { location, code, state } = await consent(
      client.authorizeUrl({ state: "s1", redirectUri: REDIRECT }),
    );
    expect(location.startsWith(`${REDIRECT}?code=`)).toBe(true);
    expect(location.endsWith("#_")).toBe(true);
    expect(state).toBe("s1");
    expect(code).not.toContain("#");
    // A code handled as a string with Meta's fragment still works.
    const short = await client.exchangeCode({ code: `${code}#_`, redirectUri: REDIRECT });
    expect(short.scopes).toEqual(["instagram_business_basic"]);
    expect(short.expiresAt?.getTime()).toBe(clock.now() + HOUR);
    expect(short.refreshToken).toBeUndefined();
    const long = await client.exchangeLongLived!(short);
    expect(long.accessToken).not.toBe(short.accessToken);
    expect((long.expiresAt?.getTime() ?? 0) - clock.now()).toBeGreaterThan(59 * 24 * HOUR);
    expect(long.scopes).toEqual(["instagram_business_basic"]);
  });

  it("reads the account id from /me, exact, not from the token response's bare number", async () => {
    const { long } = await link();
    const profile = await client.profile(long);
    expect(profile.id).toBe("17841400123456789");
    expect(profile.otherIds.appScopedId).toBe("9876543210123456");
    expect(profile.handle).toBe("acme.studio");
    // The flat token response really did carry the id as an unsafe JSON number.
    expect(Number.isSafeInteger(Number("17841400123456789"))).toBe(false);
  });

  it.each([
    ["flat", "flat"],
    ["wrapped", "wrapped"],
  ] as const)(
    "accepts a %s token response and a %s profile",
    async (tokenResponse, profileResponse) => {
      setup({ tokenResponse, profileResponse });
      const { code } = await consent(client.authorizeUrl({ state: "s", redirectUri: REDIRECT }));
      const short = await client.exchangeCode({ code, redirectUri: REDIRECT });
      expect(short.scopes).toEqual(["instagram_business_basic"]);
      const profile = await client.profile(short);
      expect(profile.id).toBe("17841400123456789");
    },
  );

  it("refreshes the long-lived token only once it is 24 h old", async () => {
    const { long } = await link();
    expect(client.canRefresh(long, clock.date())).toBe(false);
    const early = await providerError(client.refresh!(long));
    expect(early.code).toBe("retry_later");
    expect(early.retryAfterMs).toBe(24 * HOUR);
    // Nothing was sent: the age rule is checked before calling Instagram.
    expect(emulator.requests.filter((r) => r.path === "/refresh_access_token")).toHaveLength(0);

    clock.advance(25 * HOUR);
    expect(client.canRefresh(long, clock.date())).toBe(true);
    const renewed = await client.refresh!(long);
    expect(renewed.accessToken).not.toBe(long.accessToken);
    expect(renewed.issuedAt.getTime()).toBe(clock.now());
    expect(renewed.expiresAt!.getTime()).toBeGreaterThan(long.expiresAt!.getTime());
    expect(await client.profile(renewed)).toMatchObject({ id: "17841400123456789" });
  });

  it.each([false, true])(
    "after a refresh the old token still works: %s is configurable",
    async (invalidates) => {
      setup({ refreshInvalidatesPrevious: invalidates });
      const { long } = await link();
      clock.advance(25 * HOUR);
      await client.refresh!(long);
      const old = client.profile(long);
      if (invalidates) expect((await providerError(old)).code).toBe("needs_relink");
      else await expect(old).resolves.toMatchObject({ id: "17841400123456789" });
    },
  );

  it("an expired long-lived token cannot be refreshed: link again", async () => {
    const { long } = await link();
    clock.advance(61 * 24 * HOUR);
    expect(client.canRefresh(long, clock.date())).toBe(false);
    expect((await providerError(client.refresh!(long))).code).toBe("needs_relink");
  });

  it("lists every page to the end: carousels with children, reels, licensed audio", async () => {
    setup({ media: 0 });
    emulator.seedMedia("9876543210123456", 130);
    const { long } = await link();
    const items: MediaItem[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page = await client.listMedia({ tokens: long, accountId: "17841400123456789" }, cursor);
      items.push(...page.items);
      cursor = page.nextCursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(3);
    expect(items).toHaveLength(130);
    expect(new Set(items.map((i) => i.id)).size).toBe(130);
    const carousel = items.find((i) => i.kind === "post")!;
    expect(carousel.children.map((c) => c.kind)).toEqual(["image", "video", "image"]);
    expect(carousel.download).toBeNull();
    expect(items[0]!.takenAt?.toISOString()).toBe("2025-06-01T18:22:05.000Z");
    expect(items[0]!.caption).toBe("Photo 0");
    const licensed = items.find((i) => i.partial)!;
    expect(licensed.kind).toBe("video");
    expect(licensed.download).not.toBeNull();
  });

  it("downloads through a fresh URL, even after the listed URLs expired", async () => {
    const { long } = await link();
    const access = { tokens: long, accountId: "17841400123456789" };
    const page = await client.listMedia(access);
    emulator.expireMediaUrls();
    const download = await client.download(access, page.items[0]!);
    expect((await bytesOf(download)).subarray(0, 4)).toEqual(PNG_SIGNATURE);
    expect(download.contentType).toBe("image/png");
  });

  it("asks again for a URL when the CDN refuses the fresh one", async () => {
    const { long } = await link();
    const access = { tokens: long, accountId: "17841400123456789" };
    const [item] = (await client.listMedia(access)).items;
    emulator.faults.add({
      path: "/cdn/",
      response: { type: "status", status: 403, body: "expired" },
    });
    const bytes = await bytesOf(await client.download(access, item!));
    expect(bytes.subarray(0, 4)).toEqual(PNG_SIGNATURE);
    expect(emulator.requests.filter((r) => /^\/v25\.0\/\d+$/.test(r.path))).toHaveLength(2);
  });

  it("fails a download whose bytes differ from what was promised", async () => {
    const { long } = await link();
    const access = { tokens: long, accountId: "17841400123456789" };
    const [item] = (await client.listMedia(access)).items;
    emulator.corruptDownload(`${item!.id}:media`);
    const error = await providerError(bytesOf(await client.download(access, item!)));
    expect(error.code).toBe("retry_later");
  });

  it("has no revoke API", () => {
    expect("revoke" in client).toBe(false);
  });

  describe("errors", () => {
    it("a used or unknown code (400, legacy shape) needs a new link", async () => {
      const { code } = await consent(client.authorizeUrl({ state: "s", redirectUri: REDIRECT }));
      await client.exchangeCode({ code, redirectUri: REDIRECT });
      const error = await providerError(client.exchangeCode({ code, redirectUri: REDIRECT }));
      expect(error).toMatchObject({
        code: "needs_relink",
        status: 400,
        providerCode: "OAuthException/400",
      });
      expect(error.providerMessage).toBe("Matching code was not found or was already used");
      expectNoSecrets(error, [code, "standin-instagram-secret"]);
    });

    it("a wrong app secret is misconfigured", async () => {
      emulator.clients.set("standin-instagram-client", "another-secret");
      emulator.clients.set("standin-instagram-client", "another-secret");
      const { code } = await consent(client.authorizeUrl({ state: "s", redirectUri: REDIRECT }));
      expect((await providerError(client.exchangeCode({ code, redirectUri: REDIRECT }))).code).toBe(
        "misconfigured",
      );
    });

    it("a token endpoint 500 is retry_later", async () => {
      emulator.faults.add({ path: "/oauth/access_token", response: { type: "server_error" } });
      const error = await providerError(
        client.exchangeCode({ code: "AQBx", redirectUri: REDIRECT }),
      );
      expect(error).toMatchObject({ code: "retry_later", status: 500 });
    });

    it("Instagram's rate limit (80002) waits as long as its usage header says", async () => {
      const { long } = await link();
      emulator.faults.add({
        path: "/me/media",
        response: { type: "rate_limit", retryAfterSeconds: 300 },
      });
      const error = await providerError(client.listMedia({ tokens: long, accountId: "1" }));
      expect(error).toMatchObject({
        code: "retry_later",
        providerCode: "80002",
        retryAfterMs: 300_000,
      });
    });

    it("a 429 with Retry-After keeps the wait", async () => {
      const { long } = await link();
      emulator.faults.add({
        path: "/me",
        response: { type: "status", status: 429, headers: { "retry-after": "120" } },
      });
      const error = await providerError(client.profile(long));
      expect(error).toMatchObject({ code: "retry_later", status: 429, retryAfterMs: 120_000 });
    });

    it("malformed JSON is retry_later, not a crash", async () => {
      const { long } = await link();
      emulator.faults.add({ path: "/me/media", response: { type: "malformed_json" } });
      const error = await providerError(client.listMedia({ tokens: long, accountId: "1" }));
      expect(error.code).toBe("retry_later");
      expect(error.message).toContain("malformed JSON");
    });

    it("a revoked grant (the user removed the app) needs a new link", async () => {
      const { long } = await link();
      emulator.oauth.revokeAccount("9876543210123456");
      const error = await providerError(client.listMedia({ tokens: long, accountId: "1" }));
      expect(error).toMatchObject({ code: "needs_relink", status: 400, providerCode: "190/458" });
      expectNoSecrets(error, [long.accessToken]);
    });

    it("a network failure is retry_later", async () => {
      const { long } = await link();
      emulator.faults.add({ path: "/me", response: { type: "network" } });
      expect((await providerError(client.profile(long))).code).toBe("retry_later");
    });

    it("a grant without instagram_business_basic needs a new link before any call", async () => {
      const { long } = await link();
      const error = await providerError(
        client.listMedia({
          tokens: { ...long, scopes: ["instagram_business_content_publish"] },
          accountId: "1",
        }),
      );
      expect(error.code).toBe("needs_relink");
    });
  });
});
