import { beforeEach, describe, expect, it } from "vitest";

import {
  createPkcePair,
  pkceChallenge,
  type MediaItem,
  type Provider,
  type ProvidersConfig,
  type TokenSet,
} from "../src/index";
import { XEmulator, type Clock, type XEmulatorOptions } from "../src/testing/index";
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

const REDIRECT = "https://app.example/api/accounts/x/callback";
const ACCOUNT = "1460203001234567890";

let clock: Clock;
let emulator: XEmulator;
let client: Provider;
let config = testConfig();
const msw = mswFor(
  () => config,
  () => ({ x: emulator }),
);

function setup(options: XEmulatorOptions = {}, edit: (c: ProvidersConfig) => void = () => {}) {
  clock = createClock(new Date("2026-03-01T12:00:00Z"));
  emulator = new XEmulator({ clock, ...options });
  config = testConfig((c) => {
    c.x.pageSize = 10;
    edit(c);
  });
  msw.install();
  client = clientFor("x", config, clock);
}

async function link(): Promise<TokenSet> {
  const pkce = createPkcePair();
  const { code } = await consent(
    client.authorizeUrl({ state: "s", codeChallenge: pkce.challenge, redirectUri: REDIRECT }),
  );
  return client.exchangeCode({ code, codeVerifier: pkce.verifier, redirectUri: REDIRECT });
}

describe("x", () => {
  beforeEach(() => setup());

  it("builds the authorize URL with PKCE S256, offline.access and the state", () => {
    expect(client.usesPkce).toBe(true);
    const challenge = pkceChallenge("a-verifier-of-some-length-1234567890");
    const url = client.authorizeUrl({
      state: "st",
      codeChallenge: challenge,
      redirectUri: REDIRECT,
    });
    expect(url.origin + url.pathname).toBe("https://x.com/i/oauth2/authorize");
    expect(Object.fromEntries(url.searchParams)).toEqual({
      response_type: "code",
      client_id: "standin-x-client",
      redirect_uri: REDIRECT,
      scope: "tweet.read users.read offline.access",
      state: "st",
      code_challenge: challenge,
      code_challenge_method: "S256",
    });
    expect(() => client.authorizeUrl({ state: "st", redirectUri: REDIRECT })).toThrow(/PKCE/);
  });

  it("exchanges the code with the verifier and Basic client auth", async () => {
    const tokens = await link();
    expect(tokens.refreshToken).toBeDefined();
    expect(tokens.scopes).toEqual(["tweet.read", "users.read", "offline.access"]);
    expect(tokens.expiresAt?.getTime()).toBe(clock.now() + 2 * 3600_000);
    const profile = await client.profile(tokens);
    expect(profile).toMatchObject({ id: ACCOUNT, handle: "ada_ex", displayName: "Ada Example" });
  });

  it("refuses a wrong verifier and a code older than 30 s", async () => {
    const pkce = createPkcePair();
    const first = await consent(
      client.authorizeUrl({ state: "s", codeChallenge: pkce.challenge, redirectUri: REDIRECT }),
    );
    const wrong = await providerError(
      client.exchangeCode({
        code: first.code,
        codeVerifier: createPkcePair().verifier,
        redirectUri: REDIRECT,
      }),
    );
    expect(wrong).toMatchObject({
      code: "needs_relink",
      status: 400,
      providerCode: "invalid_request",
    });
    const second = await consent(
      client.authorizeUrl({ state: "s", codeChallenge: pkce.challenge, redirectUri: REDIRECT }),
    );
    clock.advance(31_000);
    const late = await providerError(
      client.exchangeCode({
        code: second.code,
        codeVerifier: pkce.verifier,
        redirectUri: REDIRECT,
      }),
    );
    expect(late.code).toBe("needs_relink");
    expectNoSecrets(late, [second.code, pkce.verifier, "standin-x-secret"]);
  });

  it("rotates refresh tokens: the new one works once, the old one is spent", async () => {
    const tokens = await link();
    clock.advance(3 * 3600_000);
    const next = await client.refresh!(tokens);
    expect(next.refreshToken).toBeDefined();
    expect(next.refreshToken).not.toBe(tokens.refreshToken);
    expect(next.issuedAt.getTime()).toBe(clock.now());
    await expect(client.profile(next)).resolves.toMatchObject({ id: ACCOUNT });
    const reused = await providerError(client.refresh!(tokens));
    expect(reused).toMatchObject({
      code: "needs_relink",
      providerMessage: "Value passed for the token was invalid.",
    });
    expectNoSecrets(reused, [tokens.refreshToken!]);
    await expect(client.refresh!(next)).resolves.toMatchObject({ scopes: tokens.scopes });
  });

  it("revokes the grant: the tokens stop working", async () => {
    const tokens = await link();
    await client.revoke!(tokens);
    expect((await providerError(client.profile(tokens))).code).toBe("needs_relink");
    expect((await providerError(client.refresh!(tokens))).code).toBe("needs_relink");
    // Revoking again is harmless.
    await expect(client.revoke!(tokens)).resolves.toBeUndefined();
  });

  it("lists posts page by page to the end: text, photos, video variants, long text", async () => {
    const tokens = await link();
    const items: MediaItem[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page = await client.listMedia({ tokens, accountId: ACCOUNT }, cursor);
      items.push(...page.items);
      cursor = page.nextCursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(3);
    expect(items).toHaveLength(30);
    expect(items.every((i) => i.kind === "post")).toBe(true);
    expect(items[0]).toMatchObject({ id: "1800000000000000001", caption: "Post 0", children: [] });
    expect(items[0]!.takenAt?.toISOString()).toBe("2025-05-02T09:15:00.000Z");
    const multi = items[2]!;
    expect(multi.children.map((c) => c.kind)).toEqual(["image", "image", "video"]);
    const video = multi.children[2]!;
    expect(video.download!.url).toContain(encodeURIComponent(`${video.id}:high`));
    expect(video.durationMs).toBe(14500);
    expect(multi.children[0]!.download!.url).toContain("name=orig");
    expect(items[7]!.caption).toMatch(/^Long post 7: (word ){79}word$/);
  });

  it("downloads a photo (full resolution) and a video", async () => {
    const tokens = await link();
    const access = { tokens, accountId: ACCOUNT };
    const { items } = await client.listMedia(access);
    const [photo, , video] = items[2]!.children;
    expect((await bytesOf(await client.download(access, photo!))).subarray(0, 4)).toEqual(
      PNG_SIGNATURE,
    );
    const mp4 = await bytesOf(await client.download(access, video!));
    expect(mp4.subarray(4, 8).toString("latin1")).toBe("ftyp");
  });

  it.each([
    ["post.fields", "post.fields", true],
    ["tweet.fields", "tweet.fields", true],
    ["post.fields", "tweet.fields", false],
  ] as const)("field parameter: API %s, client %s", async (api, ours, works) => {
    setup({ fieldsParam: api }, (c) => {
      c.x.fieldsParam = ours;
    });
    const tokens = await link();
    const listing = client.listMedia({ tokens, accountId: ACCOUNT });
    if (works) await expect(listing).resolves.toMatchObject({ nextCursor: expect.any(String) });
    else expect((await providerError(listing)).code).toBe("misconfigured");
  });

  describe("errors", () => {
    it("a token endpoint 500 is retry_later", async () => {
      emulator.faults.add({
        path: "/2/oauth2/token",
        response: { type: "server_error", status: 500 },
      });
      const error = await providerError(
        client.exchangeCode({ code: "c", codeVerifier: "v".repeat(43), redirectUri: REDIRECT }),
      );
      expect(error).toMatchObject({ code: "retry_later", status: 500 });
    });

    it("a 429 waits until x-rate-limit-reset", async () => {
      const tokens = await link();
      emulator.faults.add({
        path: "/tweets",
        response: { type: "rate_limit", retryAfterSeconds: 600 },
      });
      const error = await providerError(client.listMedia({ tokens, accountId: ACCOUNT }));
      expect(error).toMatchObject({ code: "retry_later", status: 429, retryAfterMs: 600_000 });
    });

    it("the legacy rate-limit body (code 88) is retry_later too", async () => {
      const tokens = await link();
      emulator.faults.add({
        path: "/2/users/me",
        response: {
          type: "status",
          status: 429,
          body: { errors: [{ code: 88, message: "Rate limit exceeded" }] },
        },
      });
      expect(await providerError(client.profile(tokens))).toMatchObject({
        code: "retry_later",
        providerCode: "88",
      });
    });

    it("malformed JSON is retry_later", async () => {
      const tokens = await link();
      emulator.faults.add({ path: "/2/users/me", response: { type: "malformed_json" } });
      expect((await providerError(client.profile(tokens))).code).toBe("retry_later");
    });

    it("a revoked grant gets a 401 problem: needs_relink", async () => {
      const tokens = await link();
      emulator.oauth.revokeAccount(ACCOUNT);
      const error = await providerError(client.listMedia({ tokens, accountId: ACCOUNT }));
      expect(error).toMatchObject({ code: "needs_relink", status: 401 });
    });

    it("client-forbidden is misconfigured", async () => {
      const tokens = await link();
      emulator.faults.add({
        path: "/2/users/me",
        response: {
          type: "status",
          status: 403,
          body: {
            title: "Client Forbidden",
            detail: "This request must be made using an approved developer account.",
            type: "https://api.x.com/2/problems/client-forbidden",
            status: 403,
          },
        },
      });
      expect(await providerError(client.profile(tokens))).toMatchObject({
        code: "misconfigured",
        providerCode: "https://api.x.com/2/problems/client-forbidden",
      });
    });

    it("a refresh without Basic auth (client set up as public) is misconfigured", async () => {
      const tokens = await link();
      setup({}, (c) => {
        c.x.clientType = "public";
      });
      const error = await providerError(client.refresh!(tokens));
      expect(error).toMatchObject({
        code: "misconfigured",
        status: 401,
        providerCode: "unauthorized_client",
      });
    });
  });
});
