import { describe, expect, it } from "vitest";

import { rateLimitHeaders, retryAfterSeconds } from "./rate-limit-headers";
import { tooManyRequests } from "./too-many-requests";

describe("rateLimitHeaders", () => {
  it("sends RateLimit-* on an allowed request, without Retry-After", () => {
    expect(rateLimitHeaders({ allowed: true, limit: 5, remaining: 4, resetSeconds: 899 })).toEqual({
      "RateLimit-Limit": "5",
      "RateLimit-Remaining": "4",
      "RateLimit-Reset": "899",
    });
  });

  it("adds Retry-After, a whole number of at least 1, when refused", () => {
    expect(
      rateLimitHeaders({ allowed: false, limit: 5, remaining: 0, resetSeconds: 0 }),
    ).toMatchObject({ "RateLimit-Reset": "0", "Retry-After": "1" });
    expect(retryAfterSeconds(12.2)).toBe(13);
  });
});

describe("tooManyRequests", () => {
  it("says how long to wait, in words and in retryAfterSeconds", () => {
    const error = tooManyRequests(41.5);
    expect(error).toMatchObject({ code: "TOO_MANY_REQUESTS", retryAfterSeconds: 42 });
    expect(error.message).toBe("Too many attempts; retry in 42 seconds");
    expect(tooManyRequests(0).message).toBe("Too many attempts; retry in 1 second");
  });
});
