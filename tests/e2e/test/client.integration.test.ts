// The client (from source) against the real server: sign-in, transparent renewal, errors.
import {
  createLifelineClient,
  isLifelineError,
  lifelineErrorCode,
  lifelineErrorReason,
  memoryTokenStore,
  SessionExpiredError,
  type TokenStore,
} from "@lifeline/client";
import type { TestServer } from "@lifeline/server/testing";
import { TRPCClientError } from "@trpc/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import {
  PASSWORD,
  recordingFetch,
  refusesBatchOf,
  startServer,
  unauthorizedReason,
  uniqueEmail,
} from "./support/server";

let server: TestServer;
/** What this server says to a call without a token: null if it sends no reasons at all. */
let probe: string | null;
/** Whether this server sends reasons; without them the client behaves as it always did. */
let reasons: boolean;
beforeAll(async () => {
  server = await startServer();
  probe = await unauthorizedReason(server.url);
  reasons = probe !== null;
});

/** The reason(s) to expect: `reason` from a server that sends reasons, none from an older one. */
const expectedReason = (reason: string) => (reasons ? reason : null);
const expectedReasons = (...list: string[]) => (reasons ? list : []);

it("the server gives UNAUTHORIZED one of its four reasons (skipped for a server from before them)", (ctx) => {
  if (!reasons) ctx.skip();
  expect(["token_expired", "token_invalid", "session_ended", "credentials_invalid"]).toContain(
    probe,
  );
});
afterAll(() => server.close());

/** A client, its store and its recorded requests, signed in as a new user via the client. */
async function signedIn(options: { batch?: boolean } = {}) {
  const tokens = memoryTokenStore();
  const recorder = recordingFetch();
  const client = createLifelineClient({
    url: server.url,
    tokens,
    fetch: recorder.fetch,
    ...options,
  });
  const email = uniqueEmail();
  await client.auth.register.mutate({ email, password: PASSWORD });
  const { user } = await client.auth.login.mutate({ email, password: PASSWORD });
  recorder.reset();
  return { client, tokens, recorder, user };
}

function storedPair(tokens: TokenStore) {
  const pair = tokens.get();
  if (!pair) throw new Error("expected stored tokens");
  return pair;
}

/** Replaces the stored access token, as if it had expired, keeping the refresh token. */
function spoilAccessToken(tokens: TokenStore): string {
  const { refreshToken } = storedPair(tokens);
  tokens.set({ accessToken: "not-a-jwt", refreshToken });
  return refreshToken;
}

describe("signing in through the client", () => {
  it("register → login → me returns the user, and login stores the tokens", async () => {
    const tokens = memoryTokenStore();
    const recorder = recordingFetch();
    const client = createLifelineClient({ url: server.url, tokens, fetch: recorder.fetch });
    const email = uniqueEmail();

    // The same answer whether or not the address was free: it says to check the inbox.
    const registered = await client.auth.register.mutate({ email, password: PASSWORD });
    expect(registered).toMatchObject({ ok: true });
    expect(tokens.get()).toBeNull(); // registering does not sign in

    const login = await client.auth.login.mutate({ email, password: PASSWORD });
    expect(login.user).toMatchObject({ email, emailVerified: false });
    expect(tokens.get()).toEqual({
      accessToken: login.accessToken,
      refreshToken: login.refreshToken,
    });

    const me = await client.auth.me.query();
    expect(me.user).toEqual(login.user);
    expect(recorder.requestsFor("auth.refresh")).toBe(0);
  });

  it("accepts the /trpc endpoint as well as the base URL", async () => {
    const tokens = memoryTokenStore();
    const client = createLifelineClient({ url: `${server.url}/trpc/`, tokens });
    const email = uniqueEmail();
    await client.auth.register.mutate({ email, password: PASSWORD });
    await client.auth.login.mutate({ email, password: PASSWORD });
    expect((await client.auth.me.query()).user.email).toBe(email);
  });

  it("an app-made auth.refresh stores the rotated pair", async () => {
    const { client, tokens } = await signedIn();
    const before = storedPair(tokens);
    const result = await client.auth.refresh.mutate({ refreshToken: before.refreshToken });
    expect(tokens.get()).toEqual({
      accessToken: result.accessToken,
      refreshToken: result.refreshToken,
    });
    expect(result.refreshToken).not.toBe(before.refreshToken);
  });

  it("auth.logout of the stored session clears the tokens; calls after it are not signed in", async () => {
    const { client, tokens, recorder } = await signedIn();
    await client.auth.logout.mutate({ refreshToken: storedPair(tokens).refreshToken });
    expect(tokens.get()).toBeNull();

    const error = await client.auth.me.query().catch((e: unknown) => e);
    expect(lifelineErrorCode(error)).toBe("UNAUTHORIZED");
    expect(error).not.toBeInstanceOf(SessionExpiredError);
    expect(recorder.requestsFor("auth.refresh")).toBe(0);
  });

  it("auth.logoutAll clears the tokens", async () => {
    const { client, tokens } = await signedIn();
    await client.auth.logoutAll.mutate();
    expect(tokens.get()).toBeNull();
  });
});

describe.each([
  { mode: "batched", batch: true },
  { mode: "one request per call", batch: false },
])("transparent refresh ($mode)", ({ batch }) => {
  it("a refused access token is renewed with one auth.refresh, the call retried, new tokens stored", async () => {
    const { client, tokens, recorder, user } = await signedIn({ batch });
    const oldRefreshToken = spoilAccessToken(tokens);

    const me = await client.auth.me.query();

    expect(me.user.id).toBe(user.id);
    expect(recorder.reasons).toEqual(expectedReasons("token_invalid"));
    expect(recorder.requestsFor("auth.refresh")).toBe(1);
    const stored = storedPair(tokens);
    expect(stored.accessToken).not.toBe("not-a-jwt");
    expect(stored.refreshToken).not.toBe(oldRefreshToken);
    // The stored access token is the one the retry used, and it works on its own.
    recorder.reset();
    await client.auth.me.query();
    expect(recorder.requestsFor("auth.refresh")).toBe(0);
  });

  it("10 concurrent refused calls share exactly one refresh and all succeed", async () => {
    const { client, tokens, recorder, user } = await signedIn({ batch });
    spoilAccessToken(tokens);

    const results = await Promise.all(Array.from({ length: 10 }, () => client.auth.me.query()));

    expect(results.map((r) => r.user.id)).toEqual(Array(10).fill(user.id));
    // The internal refresh uses an unbatched link, so one request is one refresh operation.
    expect(recorder.requestsFor("auth.refresh")).toBe(1);
    if (!batch) {
      // Each call: one refused request and one retry.
      expect(recorder.requestsFor("auth.me")).toBe(20);
    }
  });

  it("a session ended elsewhere: no refresh, tokens cleared, every call gets SessionExpiredError", async () => {
    const { client, tokens, recorder } = await signedIn({ batch });
    // Another device signs this session out: its access token is still well-formed.
    const elsewhere = createLifelineClient({ url: server.url, tokens: memoryTokenStore() });
    await elsewhere.auth.logout.mutate({ refreshToken: storedPair(tokens).refreshToken });

    const outcomes = await Promise.allSettled(
      Array.from({ length: 5 }, () => client.auth.me.query()),
    );

    // The server says session_ended, so the client does not spend a refresh on it (a server
    // without reasons gets the refresh, which it refuses).
    expect(recorder.requestsFor("auth.refresh")).toBe(reasons ? 0 : 1);
    expect(tokens.get()).toBeNull();
    expectAllSessionExpired(outcomes, expectedReason("session_ended"));
  });

  it("a refused refresh clears the tokens and every waiting call gets SessionExpiredError", async () => {
    const { client, tokens, recorder } = await signedIn({ batch });
    const refreshToken = spoilAccessToken(tokens);
    // End the session elsewhere too: the refresh that the bad access token triggers fails.
    const elsewhere = createLifelineClient({ url: server.url, tokens: memoryTokenStore() });
    await elsewhere.auth.logout.mutate({ refreshToken });

    const outcomes = await Promise.allSettled(
      Array.from({ length: 5 }, () => client.auth.me.query()),
    );

    expect(recorder.requestsFor("auth.refresh")).toBe(1);
    expect(tokens.get()).toBeNull();
    expectAllSessionExpired(outcomes, expectedReason("credentials_invalid"));
  });
});

function expectAllSessionExpired(outcomes: PromiseSettledResult<unknown>[], reason: string | null) {
  for (const outcome of outcomes) {
    expect(outcome.status).toBe("rejected");
    if (outcome.status !== "rejected") continue;
    const error: unknown = outcome.reason;
    expect(error).toBeInstanceOf(SessionExpiredError);
    expect(error).toBeInstanceOf(TRPCClientError);
    expect(lifelineErrorCode(error)).toBe("UNAUTHORIZED");
    expect(lifelineErrorReason(error)).toBe(reason);
    expect((error as SessionExpiredError).cause).toBeInstanceOf(TRPCClientError);
  }
}

describe("errors other than an expired session", () => {
  it("BAD_REQUEST from login surfaces unchanged with typed data naming the field; no refresh", async () => {
    const { client, tokens, recorder } = await signedIn();
    const before = tokens.get();

    const error = await client.auth.login
      .mutate({ email: "not-an-email", password: PASSWORD })
      .catch((e: unknown) => e);

    expect(error).toBeInstanceOf(TRPCClientError);
    expect(error).not.toBeInstanceOf(SessionExpiredError);
    if (!isLifelineError(error)) throw new Error("expected a server error");
    expect(error.data.code).toBe("BAD_REQUEST");
    expect(error.data.httpStatus).toBe(400);
    expect(error.data.path).toBe("auth.login");
    expect(error.data.requestId).toEqual(expect.any(String));
    expect(error.data.details?.map((d) => d.path)).toContain("email");
    expect(error.message).toMatch(/email/);
    expect(recorder.requestsFor("auth.refresh")).toBe(0);
    expect(tokens.get()).toEqual(before);
  });

  it("BAD_REQUEST from a protected procedure triggers no refresh", async () => {
    const { client, recorder } = await signedIn();
    const error = await client.auth.revokeSession
      .mutate({ id: "not-a-uuid" })
      .catch((e: unknown) => e);
    expect(lifelineErrorCode(error)).toBe("BAD_REQUEST");
    expect(recorder.requestsFor("auth.refresh")).toBe(0);
  });

  it("UNAUTHORIZED from login (wrong password) is not treated as an expired session", async () => {
    const { client, tokens, recorder } = await signedIn();
    const before = tokens.get();
    const me = await client.auth.me.query();

    const error = await client.auth.login
      .mutate({ email: me.user.email, password: "wrong password entirely" })
      .catch((e: unknown) => e);

    expect(lifelineErrorCode(error)).toBe("UNAUTHORIZED");
    expect(lifelineErrorReason(error)).toBe(expectedReason("credentials_invalid"));
    expect(error).not.toBeInstanceOf(SessionExpiredError);
    expect(recorder.requestsFor("auth.refresh")).toBe(0);
    expect(tokens.get()).toEqual(before);
  });

  it("a protected call with no tokens at all fails UNAUTHORIZED without a refresh", async () => {
    const recorder = recordingFetch();
    const client = createLifelineClient({
      url: server.url,
      tokens: memoryTokenStore(),
      fetch: recorder.fetch,
    });
    const error = await client.auth.me.query().catch((e: unknown) => e);
    expect(lifelineErrorCode(error)).toBe("UNAUTHORIZED");
    expect(error).not.toBeInstanceOf(SessionExpiredError);
    expect(recorder.requestsFor("auth.refresh")).toBe(0);
  });
});

describe("batch size", () => {
  it("25 calls in one tick go out in requests of at most 10, all within the server's cap", async () => {
    const { client, recorder, user } = await signedIn();

    const results = await Promise.all(Array.from({ length: 25 }, () => client.auth.me.query()));

    expect(results.map((r) => r.user.id)).toEqual(Array(25).fill(user.id));
    const sizes = recorder.urls.map((url) => new URL(url).pathname.split(",").length);
    expect(sizes).toEqual([10, 10, 5]);
  });

  it("a cap above the server's gets the batch refused: why the default is 10", async (ctx) => {
    if (!(await refusesBatchOf(server.url, 11))) ctx.skip(); // a server from before the cap
    const { tokens } = await signedIn();
    const tooMany = createLifelineClient({ url: server.url, tokens, batch: { maxItems: 11 } });

    const outcomes = await Promise.allSettled(
      Array.from({ length: 11 }, () => tooMany.auth.me.query()),
    );

    for (const outcome of outcomes) {
      expect(outcome.status).toBe("rejected");
      if (outcome.status === "rejected") expect(String(outcome.reason)).toMatch(/at most 10/);
    }
  });
});

describe("a really expired access token", () => {
  let shortLived: TestServer;
  beforeAll(async () => {
    shortLived = await startServer({ ACCESS_TOKEN_TTL: "1" });
  });
  afterAll(() => shortLived.close());

  it("is renewed transparently once it has expired", async () => {
    const tokens = memoryTokenStore();
    const recorder = recordingFetch();
    const client = createLifelineClient({ url: shortLived.url, tokens, fetch: recorder.fetch });
    const email = uniqueEmail("expiring");
    await client.auth.register.mutate({ email, password: PASSWORD });
    const login = await client.auth.login.mutate({ email, password: PASSWORD });
    expect(login.expiresIn).toBe(1);

    await new Promise((resolve) => setTimeout(resolve, 1_500));
    const me = await client.auth.me.query();

    expect(me.user.email).toBe(email);
    expect(recorder.reasons).toEqual(expectedReasons("token_expired"));
    expect(recorder.requestsFor("auth.refresh")).toBe(1);
    expect(storedPair(tokens).accessToken).not.toBe(login.accessToken);
  });
});
