import { describe, expect, it } from "vitest";

import { VerifiedTokenCache } from "./verified-token-cache";

const claims = { userId: "u", sessionId: "s" };

describe("VerifiedTokenCache", () => {
  it("returns what was stored until the token expires, then forgets it", () => {
    const cache = new VerifiedTokenCache();
    cache.set("t", claims, 2_000);
    expect(cache.get("t", 1_999)).toEqual(claims);
    expect(cache.get("t", 2_000)).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it("knows nothing of tokens it was not given", () => {
    const cache = new VerifiedTokenCache();
    cache.set("t", claims, 2_000);
    expect(cache.get("t2", 0)).toBeUndefined();
  });

  it("stays within its bound by dropping the oldest entry", () => {
    const cache = new VerifiedTokenCache(2);
    cache.set("a", claims, 10_000);
    cache.set("b", claims, 10_000);
    cache.set("c", claims, 10_000);
    expect(cache.size).toBe(2);
    expect(cache.get("a", 0)).toBeUndefined();
    expect(cache.get("c", 0)).toEqual(claims);
  });
});
