import { randomBytes, randomInt, randomUUID } from "node:crypto";

import { PROVIDER_IDS, type ProviderId } from "@lifeline/core";
import { providersConfigFromEnv } from "@lifeline/providers";
import { createEmulators, providerHandlers, type BaseEmulator } from "@lifeline/providers/testing";
import type { LightMyRequestResponse } from "fastify";
import { setupServer } from "msw/node";
import { expect } from "vitest";

import type { TestServer } from "../../src/testing";

/**
 * Linking tests: every provider configured with the emulators' client credentials at a
 * fake host of its own, which msw answers with @lifeline/providers/testing's emulations.
 * Only provider calls go through fetch (the app is driven with inject), so msw sees nothing
 * else.
 */

export const FRONTEND_URL = "http://frontend.test";

const ENV_PREFIX: Record<ProviderId, string> = {
  instagram: "INSTAGRAM",
  x: "X",
  facebook: "FACEBOOK",
  google: "GOOGLE",
  microsoft: "MICROSOFT",
  linkedin: "LINKEDIN",
};

/** Server env for `providers` (credentials and a base URL each); the others stay unset. */
export function providerEnv(
  providers: readonly ProviderId[] = PROVIDER_IDS,
): Record<string, string> {
  const env: Record<string, string> = { FRONTEND_URL };
  for (const id of providers) {
    const prefix = ENV_PREFIX[id];
    env[`${prefix}_CLIENT_ID`] = `standin-${id}-client`;
    env[`${prefix}_CLIENT_SECRET`] = `standin-${id}-secret`;
    env[`${prefix}_BASE_URL`] = `http://${id}.emulator.test`;
  }
  return env;
}

export interface Emulation {
  emulators: Record<ProviderId, BaseEmulator>;
  msw: ReturnType<typeof setupServer>;
}

/** All six emulators behind msw at the URLs the server's env points to. */
export function startEmulation(server: TestServer): Emulation {
  const emulators = createEmulators({ media: 3 });
  const config = providersConfigFromEnv(server.env);
  const msw = setupServer(...providerHandlers(config, emulators));
  msw.listen({ onUnhandledRequest: "error" });
  return { emulators, msw };
}

const PASSWORD = "correct horse battery";

export interface SignedIn {
  userId: string;
  email: string;
  token: string;
}

export async function signIn(server: TestServer, label: string): Promise<SignedIn> {
  const email = `${label}-${randomUUID().slice(0, 8)}@example.com`;
  const user = await server.deps.db.user.create({
    data: { email, passwordHash: await server.deps.passwords.hash(PASSWORD) },
  });
  return { userId: user.id, email, token: await logIn(server, email) };
}

/** A fresh access token for an existing user (e.g. on a second server with its own keys). */
export async function logIn(server: TestServer, email: string): Promise<string> {
  const res = await server.app.inject({
    method: "POST",
    url: "/api/auth/login",
    payload: { email, password: PASSWORD },
  });
  expect(res.statusCode).toBe(200);
  return res.json<{ accessToken: string }>().accessToken;
}

export function api(
  server: TestServer,
  method: "GET" | "POST" | "DELETE",
  url: string,
  token: string | null,
  payload?: unknown,
): Promise<LightMyRequestResponse> {
  return server.app.inject({
    method,
    url: `/api${url}`,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(payload === undefined ? {} : { "content-type": "application/json" }),
    },
    ...(payload === undefined ? {} : { payload: JSON.stringify(payload) }),
  });
}

/** startLink over REST: the consent URL (and its state). */
export async function startLink(
  server: TestServer,
  user: SignedIn,
  provider: ProviderId,
): Promise<{ authorizeUrl: URL; state: string }> {
  const res = await api(server, "POST", `/accounts/${provider}/link`, user.token, {});
  expect(res.statusCode, res.body).toBe(200);
  const authorizeUrl = new URL(res.json<{ authorizeUrl: string }>().authorizeUrl);
  const state = authorizeUrl.searchParams.get("state");
  expect(state).toBeTruthy();
  return { authorizeUrl, state: state ?? "" };
}

/**
 * What the browser does at the consent screen: the emulator answers at once with a
 * redirect to our callback (code and state, or the provider's error and state).
 */
export async function consent(emulator: BaseEmulator, authorizeUrl: URL): Promise<URL> {
  const res = await emulator.handle(new Request(authorizeUrl));
  expect(res.status).toBe(302);
  return new URL(res.headers.get("location") ?? "");
}

/** The browser following the provider's redirect to our callback; answers with our 302. */
export async function followCallback(
  server: TestServer,
  callback: URL,
  remoteAddress = "198.51.100.7",
): Promise<{ status: number; location: URL }> {
  const res = await server.app.inject({
    method: "GET",
    url: `${callback.pathname}${callback.search}`,
    remoteAddress,
  });
  return { status: res.statusCode, location: new URL(res.headers.location ?? "", "http://none") };
}

/** The outcome the frontend gets: its query, with nothing else in it. */
export function outcome(location: URL): Record<string, string> {
  expect(`${location.origin}${location.pathname}`).toBe(`${FRONTEND_URL}/accounts`);
  return Object.fromEntries(location.searchParams);
}

export async function linkedAccounts(server: TestServer, userId: string) {
  return server.deps.db.linkedAccount.findMany({ where: { userId } });
}

export async function auditEvents(server: TestServer, userId: string | null, type: string) {
  return server.deps.db.auditEvent.findMany({
    where: { userId, type },
    orderBy: { createdAt: "asc" },
  });
}

/**
 * A documentation-range address (RFC 3849) no other request has used, in a /64 of its own
 * (the rate limits count IPv6 clients per /64): audit lookups by IP find one test's events,
 * even with other files writing audit events to the same database at the same time.
 */
export const uniqueIp = () =>
  `2001:db8:${randomBytes(2).toString("hex")}:${randomBytes(2).toString("hex")}::7`;

export async function auditByIp(server: TestServer, ip: string) {
  return server.deps.db.auditEvent.findMany({ where: { ip }, orderBy: { createdAt: "asc" } });
}

/**
 * Test files of this package share one database, each with its own copy of this module: a
 * random prefix per copy keeps their provider accounts apart (a shared id would be another
 * user's account, refused as account_taken).
 */
const ACCOUNT_PREFIX = String(randomInt(0, 1_000_000)).padStart(6, "0");
let accountSerial = 0;

/**
 * A new account at the provider, which the consent screen logs in from now on: each test
 * links a provider account of its own (one provider account belongs to one Lifeline user).
 */
export function useNewProviderAccount(emulator: BaseEmulator, provider: ProviderId): string {
  const accounts = (emulator as unknown as { accounts: Map<string, Record<string, unknown>> })
    .accounts;
  const template = accounts.values().next().value;
  if (!template) throw new Error(`${provider} emulator has no account to copy`);
  const serial = `${ACCOUNT_PREFIX}${String(++accountSerial).padStart(4, "0")}`;
  const copy: Record<string, unknown> = { ...template };
  let key: string;
  switch (provider) {
    case "instagram":
      key = `98765432${serial}`;
      copy.id = key;
      copy.userId = `178414001${serial}`;
      copy.username = `studio.${serial}`;
      break;
    case "google":
    case "linkedin":
      key = `${provider}-${serial}`;
      copy.sub = key;
      break;
    default:
      key = `${provider === "microsoft" ? "ms-" : "1460203"}${serial}`;
      copy.id = key;
  }
  accounts.set(key, copy);
  emulator.consent.accountId = key;
  return key;
}
