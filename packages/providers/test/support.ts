import { buffer } from "node:stream/consumers";

import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, expect } from "vitest";

import {
  ProviderError,
  createProviderRegistry,
  defaultProvidersConfig,
  parseCallback,
  standinCredentials,
  type MediaDownload,
  type Provider,
  type ProviderId,
  type ProvidersConfig,
} from "../src/index";
import { createClock, providerHandlers, type Clock, type Handles } from "../src/testing/index";

export const REDIRECT_BASE = "https://app.example/api/accounts";

/** Every provider configured with the credentials the emulators accept. */
export function testConfig(edit: (config: ProvidersConfig) => void = () => {}): ProvidersConfig {
  const config = defaultProvidersConfig();
  config.redirectBaseUrl = REDIRECT_BASE;
  config.timeoutMs = 5_000;
  for (const id of ["instagram", "x", "facebook", "google", "microsoft", "linkedin"] as const) {
    config[id].credentials = standinCredentials(id);
  }
  edit(config);
  return config;
}

/**
 * An msw server for the file, with `onUnhandledRequest: "error"`: a request to anything but
 * the emulators fails the test. Emulators can be swapped per test with `use`.
 */
export function mswFor(
  config: () => ProvidersConfig,
  emulators: () => Partial<Record<ProviderId, Handles>>,
) {
  const server = setupServer();
  beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
  afterEach(() => server.resetHandlers());
  afterAll(() => server.close());
  return {
    server,
    /** Points msw at the current emulators (call in beforeEach). */
    install: () => server.use(...providerHandlers(config(), emulators())),
  };
}

export function clientFor(id: ProviderId, config: ProvidersConfig, clock: Clock): Provider {
  return createProviderRegistry(config, { now: () => clock.date() }).get(id);
}

export { createClock };

/** Follows the authorize URL like a browser would, up to the redirect back to us. */
export async function consent(
  url: URL,
): Promise<{ location: string; code: string; state: string | null }> {
  const response = await fetch(url, { redirect: "manual" });
  expect(response.status).toBe(302);
  const location = response.headers.get("location") ?? "";
  const parsed = parseCallback(location);
  if (!parsed.ok) throw new Error(`consent failed: ${parsed.error}`);
  return { location, code: parsed.code, state: parsed.state };
}

/** The rejection of `promise`, which must be a ProviderError. */
export async function providerError(promise: Promise<unknown>): Promise<ProviderError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ProviderError);
  return error as ProviderError;
}

export async function bytesOf(download: MediaDownload): Promise<Buffer> {
  return buffer(download.stream);
}

export const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47]);

/** Nothing secret in what an error shows. */
export function expectNoSecrets(error: ProviderError, secrets: string[]): void {
  const shown = JSON.stringify({ ...error.toJSON(), message: error.message });
  for (const secret of secrets) expect(shown).not.toContain(secret);
}
