import { beforeEach, describe, expect, it } from "vitest";

import { createPkcePair, type MediaItem, type Provider, type TokenSet } from "../src/index";
import { GoogleEmulator, type Clock, type GoogleEmulatorOptions } from "../src/testing/index";
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

const REDIRECT = "https://app.example/api/accounts/google/callback";
const SUB = "108123456789012345678";
const GMAIL = "https://www.googleapis.com/auth/gmail.readonly";

let clock: Clock;
let emulator: GoogleEmulator;
let client: Provider;
let config = testConfig();
const msw = mswFor(
  () => config,
  () => ({ google: emulator }),
);

function setup(options: GoogleEmulatorOptions = {}) {
  clock = createClock(new Date("2026-03-01T12:00:00Z"));
  emulator = new GoogleEmulator({ clock, ...options });
  config = testConfig((c) => {
    c.google.pageSize = 5;
  });
  msw.install();
  client = clientFor("google", config, clock);
}

async function link(): Promise<TokenSet> {
  const pkce = createPkcePair();
  const { code } = await consent(
    client.authorizeUrl({ state: "s", codeChallenge: pkce.challenge, redirectUri: REDIRECT }),
  );
  return client.exchangeCode({ code, codeVerifier: pkce.verifier, redirectUri: REDIRECT });
}

async function listAll(tokens: TokenSet): Promise<{ items: MediaItem[]; pages: number }> {
  const items: MediaItem[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const page = await client.listMedia({ tokens, accountId: SUB }, cursor);
    items.push(...page.items);
    cursor = page.nextCursor;
    pages++;
  } while (cursor);
  return { items, pages };
}

describe("google (gmail)", () => {
  beforeEach(() => setup());

  it("asks for offline access, forced consent, PKCE S256 and the Gmail read scope", () => {
    expect(client.usesPkce).toBe(true);
    const url = client.authorizeUrl({ state: "st", codeChallenge: "ch", redirectUri: REDIRECT });
    expect(url.origin + url.pathname).toBe("https://accounts.google.com/o/oauth2/v2/auth");
    expect(Object.fromEntries(url.searchParams)).toEqual({
      client_id: "standin-google-client",
      redirect_uri: REDIRECT,
      response_type: "code",
      scope: `openid email ${GMAIL}`,
      state: "st",
      access_type: "offline",
      prompt: "consent",
      include_granted_scopes: "true",
      code_challenge: "ch",
      code_challenge_method: "S256",
    });
  });

  it("links with a refresh token, every time (prompt=consent), and reads the stable sub", async () => {
    const first = await link();
    expect(first.refreshToken).toBeDefined();
    expect(first.scopes).toContain(GMAIL);
    expect(first.expiresAt?.getTime()).toBe(clock.now() + 3599_000);
    expect(first.refreshExpiresAt).toBeUndefined();
    const again = await link();
    expect(again.refreshToken).toBeDefined();
    expect(await client.profile(first)).toMatchObject({ id: SUB, email: "ada@example.com" });
  });

  it("a user who unticks Gmail access is reported, and listing asks for a new link", async () => {
    emulator.consent.decline = [GMAIL];
    const tokens = await link();
    expect(client.missingScopes(tokens)).toEqual([GMAIL]);
    expect((await providerError(client.listMedia({ tokens, accountId: SUB }))).code).toBe(
      "needs_relink",
    );
  });

  it("refreshes without rotation: the stored refresh token stays", async () => {
    const tokens = await link();
    clock.advance(2 * 3600_000);
    const next = await client.refresh!(tokens);
    expect(next.refreshToken).toBe(tokens.refreshToken);
    expect(next.accessToken).not.toBe(tokens.accessToken);
    expect(next.expiresAt?.getTime()).toBe(clock.now() + 3599_000);
    await expect(client.refresh!(tokens)).resolves.toMatchObject({
      refreshToken: tokens.refreshToken,
    });
  });

  it("in Testing mode the refresh token's 7-day end is stored and kept", async () => {
    setup({ testingMode: true });
    const tokens = await link();
    expect(tokens.refreshExpiresAt?.getTime()).toBe(clock.now() + 604_799_000);
    clock.advance(3600_000);
    const next = await client.refresh!(tokens);
    expect(next.refreshExpiresAt?.getTime()).toBe(tokens.refreshExpiresAt?.getTime());
    clock.advance(7 * 24 * 3600_000);
    expect(client.canRefresh(next, clock.date())).toBe(false);
  });

  it("revokes the grant; the refresh token then fails with invalid_grant", async () => {
    const tokens = await link();
    await client.revoke!(tokens);
    const error = await providerError(client.refresh!(tokens));
    expect(error).toMatchObject({
      code: "needs_relink",
      status: 400,
      providerCode: "invalid_grant",
    });
    expect(error.providerMessage).toBe("Token has been expired or revoked.");
    expectNoSecrets(error, [tokens.refreshToken!, "standin-google-secret"]);
    await expect(client.revoke!(tokens)).resolves.toBeUndefined();
  });

  it("lists attachments, one item per part, across pages to the end", async () => {
    const tokens = await link();
    const { items, pages } = await listAll(tokens);
    // 20 messages, 3 without attachments: 17 listed, 4 pages of 5.
    expect(pages).toBe(4);
    const first = items.filter((i) => i.caption === "Photos");
    expect(first.map((i) => [i.filename, i.kind, i.mimeType])).toEqual([
      ["beach.png", "image", "image/png"],
      ["notes.pdf", "document", "application/pdf"],
    ]);
    const [messageId] = first[0]!.id.split(":");
    expect(first.map((i) => i.id)).toEqual([`${messageId}:1`, `${messageId}:2`]);
    expect(first[0]!.takenAt?.toISOString()).toBe("2024-06-01T12:42:05.000Z");
    expect(items.some((i) => i.filename === "logo.png")).toBe(false);
    expect(items.some((i) => i.id.endsWith(":1.1"))).toBe(true);
    expect(new Set(items.map((i) => i.id)).size).toBe(items.length);
  });

  it.each([false, true])("downloads attachments (attachment ids rotating: %s)", async (rotate) => {
    setup({ rotateAttachmentIds: rotate });
    const tokens = await link();
    const access = { tokens, accountId: SUB };
    const { items } = await client.listMedia(access);
    const image = await client.download(access, items[0]!);
    expect(image.size).toBe(items[0]!.size);
    expect((await bytesOf(image)).subarray(0, 4)).toEqual(PNG_SIGNATURE);
    const pdf = await bytesOf(await client.download(access, items[1]!));
    expect(pdf.subarray(0, 5).toString()).toBe("%PDF-");
    const small = (await listAll(tokens)).items.find((i) => i.filename?.startsWith("tiny-"))!;
    expect((await bytesOf(await client.download(access, small))).subarray(0, 4)).toEqual(
      PNG_SIGNATURE,
    );
  });

  it("fails an attachment that decodes to fewer bytes than its size", async () => {
    const tokens = await link();
    const access = { tokens, accountId: SUB };
    const { items } = await client.listMedia(access);
    emulator.corruptDownload(items[0]!.id);
    const error = await providerError(bytesOf(await client.download(access, items[0]!)));
    expect(error.code).toBe("retry_later");
    expect(error.message).toMatch(/promised/);
  });

  describe("errors", () => {
    it("a bad code is invalid_grant: needs_relink", async () => {
      const error = await providerError(
        client.exchangeCode({
          code: "4/0AXnope",
          codeVerifier: "v".repeat(43),
          redirectUri: REDIRECT,
        }),
      );
      expect(error).toMatchObject({
        code: "needs_relink",
        status: 400,
        providerCode: "invalid_grant",
      });
    });

    it("an unknown client is misconfigured", async () => {
      emulator.clients.clear();
      const error = await providerError(
        client.exchangeCode({ code: "c", codeVerifier: "v".repeat(43), redirectUri: REDIRECT }),
      );
      expect(error).toMatchObject({
        code: "misconfigured",
        status: 401,
        providerCode: "invalid_client",
      });
    });

    it("a token endpoint 500 is retry_later", async () => {
      const tokens = await link();
      emulator.faults.add({ path: "/token", response: { type: "server_error" } });
      expect(await providerError(client.refresh!(tokens))).toMatchObject({
        code: "retry_later",
        status: 500,
      });
    });

    it("a 429 with Retry-After, and Google's 403 rate limit, are retry_later", async () => {
      const tokens = await link();
      emulator.faults.add({
        path: "/messages",
        response: { type: "rate_limit", retryAfterSeconds: 45 },
      });
      expect(await providerError(client.listMedia({ tokens, accountId: SUB }))).toMatchObject({
        code: "retry_later",
        status: 429,
        retryAfterMs: 45_000,
      });
      emulator.faults.add({
        path: "/messages",
        response: {
          type: "status",
          status: 403,
          body: {
            error: {
              code: 403,
              message: "User-rate limit exceeded.",
              errors: [
                {
                  domain: "usageLimits",
                  reason: "userRateLimitExceeded",
                  message: "User-rate limit exceeded.",
                },
              ],
            },
          },
        },
      });
      expect(await providerError(client.listMedia({ tokens, accountId: SUB }))).toMatchObject({
        code: "retry_later",
        status: 403,
        providerCode: "userRateLimitExceeded",
      });
    });

    it("the Gmail API switched off for the project is misconfigured", async () => {
      const tokens = await link();
      emulator.faults.add({
        path: "/messages",
        response: {
          type: "status",
          status: 403,
          body: {
            error: {
              code: 403,
              message: "Gmail API has not been used in project 1 before or it is disabled.",
              status: "PERMISSION_DENIED",
              errors: [{ domain: "usageLimits", reason: "accessNotConfigured" }],
            },
          },
        },
      });
      // usageLimits is also the domain of accessNotConfigured: the reason decides.
      expect((await providerError(client.listMedia({ tokens, accountId: SUB }))).code).toBe(
        "misconfigured",
      );
    });

    it("malformed JSON is retry_later", async () => {
      const tokens = await link();
      emulator.faults.add({ path: "/v1/userinfo", response: { type: "malformed_json" } });
      expect((await providerError(client.profile(tokens))).code).toBe("retry_later");
    });

    it("a revoked grant makes the API answer 401: needs_relink", async () => {
      const tokens = await link();
      emulator.oauth.revokeAccount(SUB);
      expect(await providerError(client.listMedia({ tokens, accountId: SUB }))).toMatchObject({
        code: "needs_relink",
        status: 401,
        providerCode: "authError",
      });
    });
  });
});
