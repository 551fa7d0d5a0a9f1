import { beforeEach, describe, expect, it } from "vitest";

import { createProviderRegistry, type ProviderLogger } from "../src/index";
import { ProviderHttp } from "../src/http/client";
import { InstagramEmulator, createClock } from "../src/testing/index";
import { consent, mswFor, providerError, testConfig } from "./support";

const REDIRECT = "https://app.example/api/accounts/instagram/callback";

function capture(): ProviderLogger & { lines: string[] } {
  const lines: string[] = [];
  return {
    lines,
    debug: (object, message) => lines.push(JSON.stringify({ object, message })),
    warn: (object, message) => lines.push(JSON.stringify({ object, message })),
  };
}

let emulator = new InstagramEmulator();
const config = testConfig();
const msw = mswFor(
  () => config,
  () => ({ instagram: emulator }),
);

describe("what the clients log", () => {
  beforeEach(() => {
    emulator = new InstagramEmulator({ clock: createClock(new Date("2026-03-01T12:00:00Z")) });
    msw.install();
  });

  it("never a token, code or client secret, though Meta takes them in query strings", async () => {
    const logger = capture();
    const client = createProviderRegistry(config, { logger }).get("instagram");
    const { code } = await consent(client.authorizeUrl({ state: "s", redirectUri: REDIRECT }));
    const short = await client.exchangeCode({ code, redirectUri: REDIRECT });
    emulator.faults.add({ path: "/access_token", response: { type: "server_error" } });
    const error = await providerError(client.exchangeLongLived!(short));
    expect(error.code).toBe("retry_later");
    const long = await client.exchangeLongLived!(short);
    await client.profile(long);

    const logged = logger.lines.join("\n");
    expect(logger.lines.length).toBeGreaterThanOrEqual(5);
    expect(logged).toContain("https://graph.instagram.com/access_token?[redacted]");
    expect(logged).toContain("provider request failed");
    for (const secret of [code, short.accessToken, long.accessToken, "standin-instagram-secret"]) {
      expect(logged).not.toContain(secret);
    }
  });

  it("a request that never answers times out as retry_later", async () => {
    const http = new ProviderHttp({
      provider: "x",
      timeoutMs: 50,
      now: () => new Date(),
      fetch: (_url, init) =>
        new Promise<Response>((_resolve, reject) => {
          init?.signal?.addEventListener("abort", () => reject(new Error("aborted")));
        }),
    });
    const error = await providerError(
      http.send({ what: "profile", url: new URL("https://api.x.com/2/users/me") }, () => undefined),
    );
    expect(error).toMatchObject({ code: "retry_later", message: "x profile timed out" });
  });
});
