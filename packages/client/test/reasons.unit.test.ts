import { describe, expect, it, vi } from "vitest";

import {
  createLifelineClient,
  isLifelineError,
  lifelineErrorCode,
  lifelineErrorReason,
  memoryTokenStore,
  SessionExpiredError,
  type TokenPair,
} from "../src";
import {
  NEW_PAIR,
  OLD_PAIR,
  ok,
  refused,
  scriptedServer,
  USER,
  type Reply,
} from "./support/fake-fetch";

type Client = ReturnType<typeof createLifelineClient>;

/** A signed-in client whose server answers auth.me with `me` and auth.refresh with NEW_PAIR. */
function setUp(me: (authorization: string | null) => Reply, options: { batch?: boolean } = {}) {
  const tokens = memoryTokenStore(OLD_PAIR);
  const server = scriptedServer((procedure, headers) =>
    procedure === "auth.refresh" ? ok(NEW_PAIR) : me(headers.get("authorization")),
  );
  const client = createLifelineClient({
    url: "http://api.test",
    tokens,
    fetch: server.fetch,
    ...options,
  });
  return { client, tokens, server };
}

/** Refuses the old access token with `reason`, accepts the refreshed one. */
const refuseOld = (reason?: string) => (authorization: string | null) =>
  authorization === "Bearer new-access" ? ok({ user: USER }) : refused("UNAUTHORIZED", reason);

describe.each([
  { mode: "batched", batch: true },
  { mode: "one request per call", batch: false },
])("UNAUTHORIZED reasons ($mode)", ({ batch }) => {
  it.each(["token_expired", "token_invalid"])(
    "%s: one refresh, the call retried with the new token",
    async (reason) => {
      const { client, tokens, server } = setUp(refuseOld(reason), { batch });

      const results = await Promise.all([client.auth.me.query(), client.auth.me.query()]);

      expect(results.map((r) => r.user.id)).toEqual([USER.id, USER.id]);
      expect(server.count("auth.refresh")).toBe(1);
      expect(tokens.get()).toEqual({
        accessToken: NEW_PAIR.accessToken,
        refreshToken: NEW_PAIR.refreshToken,
      });
    },
  );

  it("no reason (a server from before reasons): renewed as before", async () => {
    const { client, server } = setUp(refuseOld(undefined), { batch });
    await expect(client.auth.me.query()).resolves.toEqual({ user: USER });
    expect(server.count("auth.refresh")).toBe(1);
  });

  it("session_ended: no refresh, tokens cleared, every call gets SessionExpiredError", async () => {
    const { client, tokens, server } = setUp(refuseOld("session_ended"), { batch });

    const outcomes = await Promise.allSettled(
      Array.from({ length: 3 }, () => client.auth.me.query()),
    );

    expect(server.count("auth.refresh")).toBe(0);
    expect(tokens.get()).toBeNull();
    for (const outcome of outcomes) {
      expect(outcome.status).toBe("rejected");
      if (outcome.status !== "rejected") continue;
      const error: unknown = outcome.reason;
      expect(error).toBeInstanceOf(SessionExpiredError);
      expect(lifelineErrorCode(error)).toBe("UNAUTHORIZED");
      expect(lifelineErrorReason(error)).toBe("session_ended");
    }
  });

  it("credentials_invalid on a protected call: passed on, no refresh, tokens kept", async () => {
    const { client, tokens, server } = setUp(refuseOld("credentials_invalid"), { batch });

    const error = await client.auth.me.query().catch((e: unknown) => e);

    expect(lifelineErrorReason(error)).toBe("credentials_invalid");
    expect(error).not.toBeInstanceOf(SessionExpiredError);
    expect(server.count("auth.refresh")).toBe(0);
    expect(tokens.get()).toEqual(OLD_PAIR);
  });

  it("a reason this client does not know: passed on untouched, no refresh", async () => {
    const { client, tokens, server } = setUp(refuseOld("sunspots"), { batch });

    const error = await client.auth.me.query().catch((e: unknown) => e);

    expect(lifelineErrorCode(error)).toBe("UNAUTHORIZED");
    expect(lifelineErrorReason(error)).toBeNull();
    expect(isLifelineError(error) && error.data.reason).toBe("sunspots");
    expect(server.count("auth.refresh")).toBe(0);
    expect(tokens.get()).toEqual(OLD_PAIR);
  });
});

describe("session_ended in other situations", () => {
  it("on the retry after a refresh: tokens cleared, SessionExpiredError", async () => {
    const { client, tokens, server } = setUp(
      (authorization) =>
        refused(
          "UNAUTHORIZED",
          authorization === "Bearer new-access" ? "session_ended" : undefined,
        ),
      { batch: false },
    );

    const error = await client.auth.me.query().catch((e: unknown) => e);

    expect(error).toBeInstanceOf(SessionExpiredError);
    expect(server.count("auth.refresh")).toBe(1);
    expect(tokens.get()).toBeNull();
  });

  it("a sign-in made while the call was out survives, and the call is retried with it", async () => {
    const signedInMeanwhile: TokenPair = { accessToken: "other-access", refreshToken: "other" };
    const tokens = memoryTokenStore(OLD_PAIR);
    const server = scriptedServer((_procedure, headers) => {
      if (headers.get("authorization") === "Bearer other-access") return ok({ user: USER });
      tokens.set(signedInMeanwhile); // the app signs in again before this answer arrives
      return refused("UNAUTHORIZED", "session_ended");
    });
    const client = createLifelineClient({
      url: "http://api.test",
      tokens,
      fetch: server.fetch,
      batch: false,
    });

    await expect(client.auth.me.query()).resolves.toEqual({ user: USER });
    expect(server.authorizations("auth.me")).toEqual(["Bearer old-access", "Bearer other-access"]);
    expect(server.count("auth.refresh")).toBe(0);
    expect(tokens.get()).toEqual(signedInMeanwhile);
  });

  it("while a refresh for the same session is in flight: the refresh's result is not stored", async () => {
    const tokens = memoryTokenStore(OLD_PAIR);
    let release = () => {};
    const server = scriptedServer(async (procedure) => {
      if (procedure === "auth.refresh") {
        await new Promise<void>((resolve) => (release = resolve));
        return ok(NEW_PAIR);
      }
      return procedure === "auth.me"
        ? refused("UNAUTHORIZED", "token_expired")
        : refused("UNAUTHORIZED", "session_ended");
    });
    const client = createLifelineClient({
      url: "http://api.test",
      tokens,
      fetch: server.fetch,
      batch: false,
    });

    const renewing = client.auth.me.query().catch((e: unknown) => e);
    await vi.waitFor(() => expect(server.count("auth.refresh")).toBe(1));
    const ended = await client.auth.sessions.query().catch((e: unknown) => e);
    release();

    expect(ended).toBeInstanceOf(SessionExpiredError);
    expect(tokens.get()).toBeNull();
    await renewing;
    expect(tokens.get()).toBeNull();
  });
});

describe("a refused refresh", () => {
  it("credentials_invalid from auth.refresh ends the session", async () => {
    const tokens = memoryTokenStore(OLD_PAIR);
    const server = scriptedServer((procedure) =>
      procedure === "auth.refresh"
        ? refused("UNAUTHORIZED", "credentials_invalid")
        : refused("UNAUTHORIZED", "token_expired"),
    );
    const client = createLifelineClient({ url: "http://api.test", tokens, fetch: server.fetch });

    const error = await client.auth.me.query().catch((e: unknown) => e);

    expect(error).toBeInstanceOf(SessionExpiredError);
    expect(lifelineErrorReason(error)).toBe("credentials_invalid");
    expect(tokens.get()).toBeNull();
  });

  it("auth.login's credentials_invalid is the caller's, never a refresh", async () => {
    const tokens = memoryTokenStore(OLD_PAIR);
    const server = scriptedServer(() => refused("UNAUTHORIZED", "credentials_invalid"));
    const client = createLifelineClient({ url: "http://api.test", tokens, fetch: server.fetch });

    const error = await client.auth.login
      .mutate({ email: USER.email, password: "wrong password" })
      .catch((e: unknown) => e);

    expect(lifelineErrorReason(error)).toBe("credentials_invalid");
    expect(server.count("auth.refresh")).toBe(0);
    expect(tokens.get()).toEqual(OLD_PAIR);
  });
});

describe("the public account procedures never refresh", () => {
  const calls = {
    "auth.verifyEmail": (client: Client) => client.auth.verifyEmail.mutate({ token: "t" }),
    "auth.resendVerification": (client: Client) =>
      client.auth.resendVerification.mutate({ email: USER.email }),
    "auth.requestPasswordReset": (client: Client) =>
      client.auth.requestPasswordReset.mutate({ email: USER.email }),
    "auth.resetPassword": (client: Client) =>
      client.auth.resetPassword.mutate({ token: "t", newPassword: "a new passphrase" }),
  };

  it.each(Object.entries(calls))(
    "%s: an UNAUTHORIZED is handed back as it is, the tokens untouched",
    async (_procedure, call) => {
      const tokens = memoryTokenStore(OLD_PAIR);
      const server = scriptedServer((procedure) =>
        procedure === "auth.refresh" ? ok(NEW_PAIR) : refused("UNAUTHORIZED", "token_expired"),
      );
      const client = createLifelineClient({ url: "http://api.test", tokens, fetch: server.fetch });

      const error = await call(client).catch((e: unknown) => e);

      expect(lifelineErrorReason(error)).toBe("token_expired");
      expect(server.count("auth.refresh")).toBe(0);
      expect(tokens.get()).toEqual(OLD_PAIR);
    },
  );
});

describe("lifelineErrorReason", () => {
  it("is the known reason the server sent, or null", async () => {
    const reasonOf = async (reply: Reply) => {
      const client = createLifelineClient({
        url: "http://api.test",
        tokens: memoryTokenStore(),
        fetch: scriptedServer(() => reply).fetch,
      });
      return lifelineErrorReason(await client.auth.me.query().catch((e: unknown) => e));
    };
    expect(await reasonOf(refused("UNAUTHORIZED", "token_expired"))).toBe("token_expired");
    expect(await reasonOf(refused("TOO_MANY_REQUESTS", "retry_later"))).toBe("retry_later");
    expect(await reasonOf(refused("UNAUTHORIZED"))).toBeNull();
    expect(await reasonOf(refused("UNAUTHORIZED", "sunspots"))).toBeNull();
    expect(lifelineErrorReason(new Error("not from the server"))).toBeNull();
    expect(lifelineErrorReason(null)).toBeNull();
  });
});
