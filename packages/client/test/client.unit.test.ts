import { TRPCClientError } from "@trpc/client";
import { describe, expect, it, vi } from "vitest";

import {
  createLifelineClient,
  lifelineErrorCode,
  memoryTokenStore,
  SessionExpiredError,
} from "../src";
import { NEW_PAIR, OLD_PAIR, ok, refused, scriptedServer, USER } from "./support/fake-fetch";

describe("createLifelineClient with a scripted server", () => {
  it("retries at most once: a retry refused again surfaces that UNAUTHORIZED", async () => {
    const tokens = memoryTokenStore(OLD_PAIR);
    const server = scriptedServer((procedure) =>
      procedure === "auth.refresh" ? ok(NEW_PAIR) : refused("UNAUTHORIZED"),
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
    expect(server.authorizations("auth.me")).toEqual(["Bearer old-access", "Bearer new-access"]);
  });

  it("a refresh that fails for a transient reason keeps the tokens and surfaces that error", async () => {
    const tokens = memoryTokenStore(OLD_PAIR);
    const server = scriptedServer((procedure) =>
      procedure === "auth.refresh" ? refused("TOO_MANY_REQUESTS") : refused("UNAUTHORIZED"),
    );
    const client = createLifelineClient({ url: "http://api.test", tokens, fetch: server.fetch });

    const error = await client.auth.me.query().catch((e: unknown) => e);

    expect(lifelineErrorCode(error)).toBe("TOO_MANY_REQUESTS");
    expect(error).not.toBeInstanceOf(SessionExpiredError);
    expect(tokens.get()).toEqual(OLD_PAIR);
  });

  it("a network failure during refresh keeps the tokens", async () => {
    const tokens = memoryTokenStore(OLD_PAIR);
    const server = scriptedServer((procedure) => {
      if (procedure === "auth.refresh") throw new TypeError("fetch failed");
      return refused("UNAUTHORIZED");
    });
    const client = createLifelineClient({ url: "http://api.test", tokens, fetch: server.fetch });

    const error = await client.auth.me.query().catch((e: unknown) => e);

    expect(error).toBeInstanceOf(TRPCClientError);
    expect(error).not.toBeInstanceOf(SessionExpiredError);
    expect(lifelineErrorCode(error)).toBeNull();
    expect(tokens.get()).toEqual(OLD_PAIR);
  });

  it("a sign-out while the refresh is in flight is not undone by the refresh's result", async () => {
    const tokens = memoryTokenStore(OLD_PAIR);
    let release = () => {};
    const server = scriptedServer(async (procedure) => {
      if (procedure !== "auth.refresh") return refused("UNAUTHORIZED");
      await new Promise<void>((resolve) => (release = resolve));
      return ok(NEW_PAIR);
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
    const server = scriptedServer((_procedure, headers) => {
      seen = headers;
      return ok({ user: USER });
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
