import { describe, expect, it } from "vitest";

import { createLifelineClient, DEFAULT_BATCH_MAX_ITEMS, memoryTokenStore } from "../src";
import { ok, scriptedServer, USER } from "./support/fake-fetch";

/** Makes `calls` auth.me calls in one tick; returns the size of each HTTP request sent. */
async function requestSizes(calls: number, batch?: boolean | { maxItems?: number }) {
  const server = scriptedServer(() => ok({ user: USER }));
  const client = createLifelineClient({
    url: "http://api.test",
    tokens: memoryTokenStore({ accessToken: "access", refreshToken: "refresh" }),
    fetch: server.fetch,
    ...(batch === undefined ? {} : { batch }),
  });
  await Promise.all(Array.from({ length: calls }, () => client.auth.me.query()));
  return server.requests.map((procedures) => procedures.length);
}

describe("batching", () => {
  it("sends at most 10 calls per request by default (the server refuses bigger batches)", async () => {
    expect(DEFAULT_BATCH_MAX_ITEMS).toBe(10);
    expect(await requestSizes(25)).toEqual([10, 10, 5]);
    expect(await requestSizes(25, true)).toEqual([10, 10, 5]);
    expect(await requestSizes(10, {})).toEqual([10]);
  });

  it("takes another cap with { maxItems }", async () => {
    expect(await requestSizes(7, { maxItems: 3 })).toEqual([3, 3, 1]);
    expect(await requestSizes(30, { maxItems: 50 })).toEqual([30]);
  });

  it("sends one request per call with batch: false", async () => {
    expect(await requestSizes(3, false)).toEqual([1, 1, 1]);
  });

  it("refuses a cap that is not a positive integer", () => {
    const tokens = memoryTokenStore();
    for (const maxItems of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => createLifelineClient({ url: "http://x", tokens, batch: { maxItems } })).toThrow(
        RangeError,
      );
    }
  });
});
