import { describe, expect, it } from "vitest";

import { mostRestrictive, unlimited, type RateLimitResult } from "./rate-limit-result";

const result = (allowed: boolean, remaining: number, resetSeconds: number): RateLimitResult => ({
  allowed,
  limit: 5,
  remaining,
  resetSeconds,
});

describe("mostRestrictive", () => {
  it("refuses when any check refused, reporting the refusal", () => {
    const refused = result(false, 0, 30);
    expect(mostRestrictive([result(true, 3, 60), refused])).toBe(refused);
    expect(mostRestrictive([refused, result(true, 3, 60)])).toBe(refused);
  });

  it("between refusals, reports the later reset (the client must wait for both)", () => {
    const later = result(false, 0, 90);
    expect(mostRestrictive([result(false, 0, 10), later])).toBe(later);
  });

  it("between allowances, reports the one with fewer left", () => {
    const tighter = result(true, 1, 10);
    expect(mostRestrictive([result(true, 4, 800), tighter])).toBe(tighter);
  });

  it("needs at least one result", () => {
    expect(() => mostRestrictive([])).toThrow();
  });
});

describe("unlimited", () => {
  it("allows with the whole budget left and nothing to wait for", () => {
    expect(unlimited(100)).toEqual({ allowed: true, limit: 100, remaining: 100, resetSeconds: 0 });
  });
});
