import { beforeEach, describe, expect, it } from "vitest";

import {
  createPkcePair,
  type MediaItem,
  type Provider,
  type ProvidersConfig,
  type TokenSet,
} from "../src/index";
import { MicrosoftEmulator, type Clock, type MicrosoftEmulatorOptions } from "../src/testing/index";
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

const REDIRECT = "https://app.example/api/accounts/microsoft/callback";
const ID = "87d349ed-44d7-43e1-9a83-5f2406dee5bd";

let clock: Clock;
let emulator: MicrosoftEmulator;
let client: Provider;
let config = testConfig();
const msw = mswFor(
  () => config,
  () => ({ microsoft: emulator }),
);

function setup(
  options: MicrosoftEmulatorOptions = {},
  edit: (c: ProvidersConfig) => void = () => {},
) {
  clock = createClock(new Date("2026-03-01T12:00:00Z"));
  emulator = new MicrosoftEmulator({ clock, ...options });
  config = testConfig((c) => {
    c.microsoft.pageSize = 5;
    edit(c);
  });
  msw.install();
  client = clientFor("microsoft", config, clock);
}

async function link(): Promise<TokenSet> {
  const pkce = createPkcePair();
  const { code } = await consent(
    client.authorizeUrl({ state: "s", codeChallenge: pkce.challenge, redirectUri: REDIRECT }),
  );
  return client.exchangeCode({ code, codeVerifier: pkce.verifier, redirectUri: REDIRECT });
}

async function listAll(tokens: TokenSet) {
  const items: MediaItem[] = [];
  const cursors: string[] = [];
  let cursor: string | null = null;
  do {
    const page = await client.listMedia({ tokens, accountId: ID }, cursor);
    items.push(...page.items);
    cursor = page.nextCursor;
    if (cursor) cursors.push(cursor);
  } while (cursor);
  return { items, cursors };
}

describe("microsoft (outlook)", () => {
  beforeEach(() => setup());

  it("authorizes on the configured tenant with PKCE, response_mode=query and offline_access", () => {
    expect(client.usesPkce).toBe(true);
    const url = client.authorizeUrl({ state: "st", codeChallenge: "ch", redirectUri: REDIRECT });
    expect(url.origin + url.pathname).toBe(
      "https://login.microsoftonline.com/common/oauth2/v2.0/authorize",
    );
    expect(Object.fromEntries(url.searchParams)).toEqual({
      client_id: "standin-microsoft-client",
      response_type: "code",
      redirect_uri: REDIRECT,
      response_mode: "query",
      scope: "openid profile email offline_access User.Read Mail.Read",
      state: "st",
      code_challenge: "ch",
      code_challenge_method: "S256",
    });
    setup({}, (c) => {
      c.microsoft.tenant = "consumers";
    });
    expect(
      client.authorizeUrl({ state: "s", codeChallenge: "c", redirectUri: REDIRECT }).pathname,
    ).toBe("/consumers/oauth2/v2.0/authorize");
  });

  it("links; the profile falls back to userPrincipalName when mail is null", async () => {
    const tokens = await link();
    expect(tokens.refreshToken).toBeDefined();
    expect(tokens.expiresAt?.getTime()).toBe(clock.now() + 4620_000);
    expect(tokens.scopes).toEqual(["openid", "profile", "email", "User.Read", "Mail.Read"]);
    expect(await client.profile(tokens)).toMatchObject({ id: ID, email: "ada@outlook.example" });
  });

  it("understands scopes spelled as full Graph URIs", async () => {
    setup({ fullScopeUris: true });
    const tokens = await link();
    expect(tokens.scopes).toContain("https://graph.microsoft.com/Mail.Read");
    expect(client.missingScopes(tokens)).toEqual([]);
    await expect(client.listMedia({ tokens, accountId: ID })).resolves.toMatchObject({
      nextCursor: expect.any(String),
    });
  });

  it("rotates the refresh token; the new one is what to store", async () => {
    const tokens = await link();
    clock.advance(2 * 3600_000);
    const next = await client.refresh!(tokens);
    expect(next.refreshToken).toBeDefined();
    expect(next.refreshToken).not.toBe(tokens.refreshToken);
    await expect(client.refresh!(next)).resolves.toMatchObject({ scopes: tokens.scopes });
    expect("revoke" in client).toBe(false);
  });

  it("lists attachments across @odata.nextLink pages, followed as given", async () => {
    const tokens = await link();
    const { items, cursors } = await listAll(tokens);
    expect(cursors).toHaveLength(3);
    expect(cursors[0]).toContain("%24skip=5");
    // Per five messages: two files, one file beside a signature, an attached mail, a cloud link, a video.
    expect(items).toHaveLength(20);
    expect(items.slice(0, 5).map((i) => [i.kind, i.mimeType])).toEqual([
      ["image", "image/png"],
      ["document", "application/pdf"],
      ["document", "application/pdf"],
      ["document", "message/rfc822"],
      ["video", "video/mp4"],
    ]);
    expect(items[0]).toMatchObject({ caption: "Message 0", filename: "photo-0.png" });
    expect(items[0]!.id).toBe("AAMkAGI2TG93000000AAA=:AAMkAGI2ATT0000001=");
    expect(items[0]!.takenAt?.toISOString()).toBe("2025-06-01T12:42:05.000Z");
  });

  it("refuses a cursor that would send the token elsewhere", async () => {
    const tokens = await link();
    const error = await providerError(
      client.listMedia({ tokens, accountId: ID }, "https://evil.example/v1.0/me/messages"),
    );
    expect(error.code).toBe("misconfigured");
  });

  it("downloads file and item attachments through $value", async () => {
    const tokens = await link();
    const access = { tokens, accountId: ID };
    const { items } = await client.listMedia(access);
    expect((await bytesOf(await client.download(access, items[0]!))).subarray(0, 4)).toEqual(
      PNG_SIGNATURE,
    );
    const mail = await bytesOf(await client.download(access, items[3]!));
    expect(mail.toString()).toMatch(/^Subject: Fwd message 2/);
    emulator.corruptDownload(items[0]!.id);
    expect((await providerError(bytesOf(await client.download(access, items[0]!)))).code).toBe(
      "retry_later",
    );
  });

  describe("errors", () => {
    it("a refresh token dead from 90 days of inactivity (700082) needs a new link", async () => {
      const tokens = await link();
      clock.advance(91 * 24 * 3600_000);
      const error = await providerError(client.refresh!(tokens));
      expect(error).toMatchObject({
        code: "needs_relink",
        status: 400,
        providerCode: "invalid_grant (700082)",
      });
      expectNoSecrets(error, [tokens.refreshToken!, "standin-microsoft-secret"]);
    });

    it("a revoked grant (50173) needs a new link; so does the API's 401", async () => {
      const tokens = await link();
      emulator.oauth.revokeAccount(ID);
      expect(await providerError(client.refresh!(tokens))).toMatchObject({
        code: "needs_relink",
        providerCode: "invalid_grant (50173)",
      });
      expect(await providerError(client.profile(tokens))).toMatchObject({
        code: "needs_relink",
        status: 401,
        providerCode: "InvalidAuthenticationToken",
      });
    });

    it("a wrong client secret (7000215) is misconfigured", async () => {
      const tokens = await link();
      emulator.clients.set("standin-microsoft-client", "new-secret");
      expect(await providerError(client.refresh!(tokens))).toMatchObject({
        code: "misconfigured",
        providerCode: "invalid_client (7000215)",
      });
    });

    it("a token endpoint 500 is retry_later", async () => {
      const tokens = await link();
      emulator.faults.add({ path: "/oauth2/v2.0/token", response: { type: "server_error" } });
      expect(await providerError(client.refresh!(tokens))).toMatchObject({
        code: "retry_later",
        status: 500,
      });
    });

    it("429 ApplicationThrottled and 503 keep their Retry-After", async () => {
      const tokens = await link();
      emulator.faults.add({
        path: "/me/messages",
        response: { type: "rate_limit", retryAfterSeconds: 30 },
      });
      expect(await providerError(client.listMedia({ tokens, accountId: ID }))).toMatchObject({
        code: "retry_later",
        providerCode: "ApplicationThrottled",
        retryAfterMs: 30_000,
      });
      emulator.faults.add({ path: "/attachments", response: { type: "server_error" } });
      expect(await providerError(client.listMedia({ tokens, accountId: ID }))).toMatchObject({
        code: "retry_later",
        status: 503,
        retryAfterMs: 10_000,
      });
    });

    it("malformed JSON is retry_later", async () => {
      const tokens = await link();
      emulator.faults.add({ path: "/v1.0/me", response: { type: "malformed_json" } });
      expect((await providerError(client.profile(tokens))).code).toBe("retry_later");
    });

    it("Mail.Read declined or refused (403 ErrorAccessDenied) needs a new link", async () => {
      emulator.consent.decline = ["Mail.Read"];
      const tokens = await link();
      expect(client.missingScopes(tokens)).toEqual(["Mail.Read"]);
      expect((await providerError(client.listMedia({ tokens, accountId: ID }))).code).toBe(
        "needs_relink",
      );
      const claimed = { ...tokens, scopes: [...tokens.scopes, "Mail.Read"] };
      expect(
        await providerError(client.listMedia({ tokens: claimed, accountId: ID })),
      ).toMatchObject({
        code: "needs_relink",
        status: 403,
        providerCode: "ErrorAccessDenied",
      });
    });
  });
});
