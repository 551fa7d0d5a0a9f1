import { spawnSync } from "node:child_process";
import path from "node:path";
import { buffer } from "node:stream/consumers";

import { parseEnv, serverEnvSchema } from "@lifeline/env";
import {
  PROVIDER_IDS,
  createPkcePair,
  createProviderRegistry,
  parseCallback,
  providersConfigFromEnv,
  type MediaItem,
} from "@lifeline/providers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { startStandinServer, type StandinServer } from "../src/server";

let server: StandinServer;

beforeAll(async () => {
  server = await startStandinServer({ port: 0, host: "127.0.0.1", media: 12 });
});
afterAll(() => server.close());

/** The first item (or child) with bytes to fetch. */
function downloadable(items: MediaItem[]): MediaItem | undefined {
  for (const item of items) {
    if (item.download) return item;
    const child = item.children.find((c) => c.download);
    if (child) return child;
  }
  return undefined;
}

describe("the provider stand-in server", () => {
  it("lists its providers and their fake clients at /", async () => {
    const index = (await (await fetch(`${server.url}/`)).json()) as {
      providers: Record<string, { baseUrl: string; clientId: string }>;
    };
    expect(Object.keys(index.providers)).toEqual([...PROVIDER_IDS]);
    expect(index.providers.google).toMatchObject({
      baseUrl: `${server.url}/google`,
      clientId: "standin-google-client",
    });
  });

  it.each(PROVIDER_IDS)(
    "%s: the authorize page redirects straight back; the account links and imports",
    async (id) => {
      const env = parseEnv(serverEnvSchema, {
        NODE_ENV: "test",
        PROVIDER_STANDIN_URL: server.url,
        LINKEDIN_MEMBER_POSTS: "true",
      });
      const registry = createProviderRegistry(providersConfigFromEnv(env));
      const provider = registry.get(id);
      const pkce = createPkcePair();
      const redirectUri = registry.redirectUri(id);
      const authorize = provider.authorizeUrl({
        state: `state-${id}`,
        redirectUri,
        ...(provider.usesPkce ? { codeChallenge: pkce.challenge } : {}),
      });
      expect(authorize.href.startsWith(`${server.url}/${id}/`)).toBe(true);

      const consent = await fetch(authorize, { redirect: "manual" });
      expect(consent.status).toBe(302);
      const location = consent.headers.get("location") ?? "";
      expect(location.startsWith(`${redirectUri}?`)).toBe(true);
      const callback = parseCallback(location);
      if (!callback.ok) throw new Error(callback.error);
      expect(callback.state).toBe(`state-${id}`);

      let tokens = await provider.exchangeCode({
        code: callback.code,
        redirectUri,
        ...(provider.usesPkce ? { codeVerifier: pkce.verifier } : {}),
      });
      if (provider.exchangeLongLived) tokens = await provider.exchangeLongLived(tokens);
      const profile = await provider.profile(tokens);
      expect(profile.id).toMatch(/^[\w-]+$/);

      const page = await provider.listMedia({ tokens, accountId: profile.id });
      expect(page.items.length).toBeGreaterThan(0);
      const item = downloadable(page.items);
      expect(item).toBeDefined();
      const bytes = await buffer(
        (await provider.download({ tokens, accountId: profile.id }, item!)).stream,
      );
      expect(bytes.length).toBeGreaterThan(20);
    },
  );

  it("refuses to start in production", { timeout: 60_000 }, () => {
    const app = path.resolve(import.meta.dirname, "..");
    const result = spawnSync(path.join(app, "node_modules/.bin/tsx"), ["src/main.ts"], {
      cwd: app,
      env: { ...process.env, NODE_ENV: "production", PROVIDER_STANDIN_PORT: "0" },
      encoding: "utf8",
      timeout: 30_000,
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("refuses to run with NODE_ENV=production");
  });
});
