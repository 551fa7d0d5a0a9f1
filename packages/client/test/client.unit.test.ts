import { TRPCClientError } from "@trpc/client";
import { describe, expect, it, vi } from "vitest";

import {
  createLifelineClient,
  lifelineErrorCode,
  memoryTokenStore,
  SessionExpiredError,
} from "../src";
import { procedureOf, trpcData, trpcError } from "./support/fake-fetch";

const USER = {
  id: "00000000-0000-4000-8000-000000000000",
  email: "a@example.com",
  emailVerifiedAt: null,
  createdAt: "2024-01-01T00:00:00.000Z",
};
const NEW_PAIR = {
  accessToken: "new-access",
  refreshToken: "new-refresh",
  expiresIn: 900,
  user: USER,
};

/** A scripted server: `answer` decides each response; every call is recorded. */
function scripted(answer: (procedure: string, headers: Headers) => Response | Promise<Response>) {
  const calls: { procedure: string; authorization: string | null }[] = [];
  const fetch: typeof globalThis.fetch = async (input, init) => {
    const procedure = procedureOf(input instanceof Request ? input.url : input);
    const headers = new Headers(init?.headers);
    calls.push({ procedure, authorization: headers.get("authorization") });
    return answer(procedure, headers);
  };
  const count = (procedure: string) => calls.filter((c) => c.procedure === procedure).length;
  return { fetch, calls, count };
}

describe("createLifelineClient with a scripted server", () => {
  it("retries at most once: a retry refused again surfaces that UNAUTHORIZED", async () => {
    const tokens = memoryTokenStore({ accessToken: "old-access", refreshToken: "old-refresh" });
    const server = scripted((procedure) =>
      procedure === "auth.refresh" ? trpcData(NEW_PAIR) : trpcError("UNAUTHORIZED", 401),
    );
    const client = createLifelineClient({
      url: "http://api.test",
      tokens,
      fetch: server.fetch,
      batch: false,
    });

    const error = await client.auth.me.query().catch((e: unknown) => e);

    expect(lifelineErrorCode(error)).toBe("UNAUTHORIZED");
    expect(error).not.toBeInstanceOf(SessionExpiredError);
    expect(server.count("auth.refresh")).toBe(1);
    expect(
      server.calls.filter((c) => c.procedure === "auth.me").map((c) => c.authorization),
    ).toEqual(["Bearer old-access", "Bearer new-access"]);
  });

  it("a refresh that fails for a transient reason keeps the tokens and surfaces that error", async () => {
    const pair = { accessToken: "old-access", refreshToken: "old-refresh" };
    const tokens = memoryTokenStore(pair);
    const server = scripted((procedure) =>
      procedure === "auth.refresh"
        ? trpcError("TOO_MANY_REQUESTS", 429)
        : trpcError("UNAUTHORIZED", 401),
    );
    const client = createLifelineClient({ url: "http://api.test", tokens, fetch: server.fetch });

    const error = await client.auth.me.query().catch((e: unknown) => e);

    expect(lifelineErrorCode(error)).toBe("TOO_MANY_REQUESTS");
    expect(error).not.toBeInstanceOf(SessionExpiredError);
    expect(tokens.get()).toEqual(pair);
  });

  it("a network failure during refresh keeps the tokens", async () => {
    const pair = { accessToken: "old-access", refreshToken: "old-refresh" };
    const tokens = memoryTokenStore(pair);
    const server = scripted((procedure) => {
      if (procedure === "auth.refresh") throw new TypeError("fetch failed");
      return trpcError("UNAUTHORIZED", 401);
    });
    const client = createLifelineClient({ url: "http://api.test", tokens, fetch: server.fetch });

    const error = await client.auth.me.query().catch((e: unknown) => e);

    expect(error).toBeInstanceOf(TRPCClientError);
    expect(error).not.toBeInstanceOf(SessionExpiredError);
    expect(lifelineErrorCode(error)).toBeNull();
    expect(tokens.get()).toEqual(pair);
  });

  it("a sign-out while the refresh is in flight is not undone by the refresh's result", async () => {
    const tokens = memoryTokenStore({ accessToken: "old-access", refreshToken: "old-refresh" });
    let release = () => {};
    const server = scripted(async (procedure) => {
      if (procedure !== "auth.refresh") return trpcError("UNAUTHORIZED", 401);
      await new Promise<void>((resolve) => (release = resolve));
      return trpcData(NEW_PAIR);
    });
    const client = createLifelineClient({
      url: "http://api.test",
      tokens,
      fetch: server.fetch,
      batch: false,
    });

    const pending = client.auth.me.query().catch((e: unknown) => e);
    await vi.waitFor(() => expect(server.count("auth.refresh")).toBe(1));
    tokens.clear();
    release();

    expect(lifelineErrorCode(await pending)).toBe("UNAUTHORIZED");
    expect(tokens.get()).toBeNull();
  });

  it("sends caller headers but keeps Authorization its own", async () => {
    const tokens = memoryTokenStore({ accessToken: "access", refreshToken: "refresh" });
    let seen: Headers | undefined;
    const server = scripted((_procedure, headers) => {
      seen = headers;
      return trpcData({ user: USER });
    });
    const client = createLifelineClient({
      url: "http://api.test/",
      tokens,
      fetch: server.fetch,
      batch: false,
      headers: async () => ({ "x-app-version": "1.2.3", Authorization: "Basic nope" }),
    });

    await client.auth.me.query();

    expect(seen?.get("x-app-version")).toBe("1.2.3");
    expect(seen?.get("authorization")).toBe("Bearer access");
  });
});
