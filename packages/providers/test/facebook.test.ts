import { beforeEach, describe, expect, it } from "vitest";

import {
  parseCallback,
  type MediaItem,
  type Provider,
  type ProvidersConfig,
  type TokenSet,
} from "../src/index";
import { FacebookEmulator, type Clock, type FacebookEmulatorOptions } from "../src/testing/index";
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

const REDIRECT = "https://app.example/api/accounts/facebook/callback";
const ACCOUNT = "10223344556677889";
const DAY = 24 * 3600_000;

let clock: Clock;
let emulator: FacebookEmulator;
let client: Provider;
let config = testConfig();
const msw = mswFor(
  () => config,
  () => ({ facebook: emulator }),
);

function setup(
  options: FacebookEmulatorOptions = {},
  edit: (c: ProvidersConfig) => void = () => {},
) {
  clock = createClock(new Date("2026-03-01T12:00:00Z"));
  emulator = new FacebookEmulator({ clock, requireAppSecretProof: true, ...options });
  config = testConfig((c) => {
    c.facebook.pageSize = 10;
    edit(c);
  });
  msw.install();
  client = clientFor("facebook", config, clock);
}

async function link(): Promise<{ short: TokenSet; long: TokenSet }> {
  const { code } = await consent(client.authorizeUrl({ state: "s", redirectUri: REDIRECT }));
  const short = await client.exchangeCode({ code, redirectUri: REDIRECT });
  return { short, long: await client.exchangeLongLived!(short) };
}

async function listAll(tokens: TokenSet): Promise<{ items: MediaItem[]; cursors: string[] }> {
  const items: MediaItem[] = [];
  const cursors: string[] = [];
  let cursor: string | null = null;
  do {
    const page = await client.listMedia({ tokens, accountId: ACCOUNT }, cursor);
    items.push(...page.items);
    cursor = page.nextCursor;
    if (cursor) cursors.push(cursor);
  } while (cursor);
  return { items, cursors };
}

describe("facebook", () => {
  beforeEach(() => setup());

  it("builds the classic authorize URL: no PKCE, comma-separated permissions, pinned version", () => {
    expect(client.usesPkce).toBe(false);
    const url = client.authorizeUrl({ state: "st", redirectUri: REDIRECT });
    expect(url.origin + url.pathname).toBe("https://www.facebook.com/v25.0/dialog/oauth");
    expect(Object.fromEntries(url.searchParams)).toEqual({
      client_id: "standin-facebook-client",
      redirect_uri: REDIRECT,
      state: "st",
      response_type: "code",
      scope: "public_profile,user_photos,user_videos,user_posts",
    });
  });

  it("behind its flag, the OIDC variant sends PKCE, openid and a nonce, and the exchange the verifier", async () => {
    setup({}, (c) => {
      c.facebook.pkce = true;
    });
    expect(client.usesPkce).toBe(true);
    const url = client.authorizeUrl({ state: "st", codeChallenge: "abc", redirectUri: REDIRECT });
    expect(url.searchParams.get("scope")).toMatch(/^openid,/);
    expect(url.searchParams.get("code_challenge_method")).toBe("S256");
    expect(url.searchParams.get("nonce")).toBe("st");
  });

  it("links: the redirect ends in #_=_, which never reaches the code", async () => {
    const { location, code, state } = await consent(
      client.authorizeUrl({ state: "s9", redirectUri: REDIRECT }),
    );
    expect(location.endsWith("#_=_")).toBe(true);
    expect(state).toBe("s9");
    // A query string taken naively from the URL drags the fragment into the last parameter.
    const naive = new URLSearchParams(location.split("?")[1]);
    expect(naive.get("state")).toBe("s9#_=_");
    expect(parseCallback(naive)).toEqual({ ok: true, code, state: "s9" });
    expect(parseCallback(location)).toEqual({ ok: true, code, state: "s9" });
    // …and a code that carries it still exchanges.
    const short = await client.exchangeCode({ code: `${code}#_=_`, redirectUri: REDIRECT });
    expect(short.scopes).toEqual(["public_profile", "user_photos", "user_videos", "user_posts"]);
    expect(short.expiresAt?.getTime()).toBe(clock.now() + 2 * 3600_000);
    const long = await client.exchangeLongLived!(short);
    expect(long.expiresAt?.getTime()).toBe(clock.now() + 60 * DAY);
    expect(await client.profile(long)).toMatchObject({ id: ACCOUNT, displayName: "Ada Example" });
  });

  it("has no refresh; re-exchanging a long-lived token may or may not extend it", async () => {
    expect("refresh" in client).toBe(false);
    expect(client.refreshStyle).toBe("none");
    for (const extends_ of [false, true]) {
      setup({ reexchangeExtends: extends_ });
      const { long } = await link();
      expect(client.canRefresh(long)).toBe(false);
      clock.advance(55 * DAY);
      const again = await client.exchangeLongLived!(long);
      const later = again.expiresAt!.getTime() > long.expiresAt!.getTime();
      expect(later).toBe(extends_);
    }
  });

  it("reads declined permissions and skips the edge they close", async () => {
    emulator.consent.decline = ["user_videos"];
    const { long } = await link();
    expect(long.scopes).not.toContain("user_videos");
    expect(client.missingScopes(long)).toEqual(["user_videos"]);
    const { items } = await listAll(long);
    expect(items.some((i) => i.kind === "video" && i.id.startsWith("2"))).toBe(false);
    expect(items.filter((i) => i.kind === "image")).toHaveLength(30);
  });

  it("lists photos, videos and posts to the end; cursors never hold the token", async () => {
    const { long } = await link();
    const { items, cursors } = await listAll(long);
    expect(items.filter((i) => i.kind === "image")).toHaveLength(30);
    expect(items.filter((i) => i.kind === "video")).toHaveLength(6);
    const posts = items.filter((i) => i.kind === "post");
    expect(posts).toHaveLength(15);
    expect(cursors.every((c) => !c.includes(long.accessToken) && !c.includes("access_token"))).toBe(
      true,
    );
    expect(posts[0]).toMatchObject({ caption: "Post 0", children: [] });
    expect(posts[1]!.children.map((c) => c.id)).toEqual([items[1]!.id]);
    expect(posts[2]!.children.map((c) => c.kind)).toEqual(["image", "image", "video"]);
    expect(items[0]!.takenAt?.toISOString()).toBe("2025-06-01T12:00:00.000Z");
    expect(items[0]).toMatchObject({ id: "10000000000000000", caption: "Photo 0", width: 2048 });
  });

  it("skips the videos edge when this Graph version refuses it", async () => {
    setup({ videosEdge: "unsupported" });
    const { long } = await link();
    const { items } = await listAll(long);
    expect(items.filter((i) => i.kind === "image")).toHaveLength(30);
    expect(items.filter((i) => i.kind === "post")).toHaveLength(15);
  });

  it("downloads photos and videos through fresh node URLs", async () => {
    const { long } = await link();
    const access = { tokens: long, accountId: ACCOUNT };
    const { items } = await listAll(long);
    emulator.expireMediaUrls();
    const photo = await bytesOf(await client.download(access, items[0]!));
    expect(photo.subarray(0, 4)).toEqual(PNG_SIGNATURE);
    const video = items.find((i) => i.kind === "video")!;
    expect((await bytesOf(await client.download(access, video))).subarray(4, 8).toString()).toBe(
      "ftyp",
    );
    emulator.corruptDownload(`${items[0]!.id}:photo`);
    expect((await providerError(bytesOf(await client.download(access, items[0]!)))).code).toBe(
      "retry_later",
    );
  });

  it("revokes by deleting the permissions", async () => {
    const { long } = await link();
    await client.revoke!(long);
    const error = await providerError(client.profile(long));
    expect(error).toMatchObject({ code: "needs_relink", providerCode: "190/458" });
    await expect(client.revoke!(long)).resolves.toBeUndefined();
  });

  describe("errors", () => {
    it("a used code (400, code 100/36009) needs a new link", async () => {
      const { code } = await consent(client.authorizeUrl({ state: "s", redirectUri: REDIRECT }));
      await client.exchangeCode({ code, redirectUri: REDIRECT });
      const error = await providerError(client.exchangeCode({ code, redirectUri: REDIRECT }));
      expect(error).toMatchObject({ code: "needs_relink", status: 400, providerCode: "100/36009" });
      expectNoSecrets(error, [code, "standin-facebook-secret"]);
    });

    it("an app secret Facebook does not accept is misconfigured", async () => {
      emulator.clients.set("standin-facebook-client", "rotated-secret");
      const { code } = await consent(client.authorizeUrl({ state: "s", redirectUri: REDIRECT }));
      const error = await providerError(client.exchangeCode({ code, redirectUri: REDIRECT }));
      expect(error).toMatchObject({ code: "misconfigured", providerCode: "101" });
    });

    it("a token endpoint 500 is retry_later", async () => {
      emulator.faults.add({ path: "/oauth/access_token", response: { type: "server_error" } });
      expect(
        (await providerError(client.exchangeCode({ code: "c", redirectUri: REDIRECT }))).code,
      ).toBe("retry_later");
    });

    it("the app rate limit (code 4) and a 429 with Retry-After are retry_later", async () => {
      const { long } = await link();
      emulator.faults.add({ path: "/me/photos", response: { type: "rate_limit" } });
      expect(
        await providerError(client.listMedia({ tokens: long, accountId: ACCOUNT })),
      ).toMatchObject({
        code: "retry_later",
        providerCode: "4",
      });
      emulator.faults.add({
        path: "/me/photos",
        response: { type: "status", status: 429, headers: { "retry-after": "30" } },
      });
      expect(
        await providerError(client.listMedia({ tokens: long, accountId: ACCOUNT })),
      ).toMatchObject({
        code: "retry_later",
        retryAfterMs: 30_000,
      });
    });

    it("malformed JSON is retry_later", async () => {
      const { long } = await link();
      emulator.faults.add({ path: "/me", response: { type: "malformed_json" } });
      expect((await providerError(client.profile(long))).code).toBe("retry_later");
    });

    it("an expired token (190/463) needs a new link", async () => {
      const { long } = await link();
      clock.advance(61 * DAY);
      const error = await providerError(client.listMedia({ tokens: long, accountId: ACCOUNT }));
      expect(error).toMatchObject({ code: "needs_relink", providerCode: "190/463" });
      expectNoSecrets(error, [long.accessToken]);
    });
  });
});
