import { describe, expect, it } from "vitest";

import { cannotRefresh, DEFAULT_REFRESH_POLICY, dueAction, type DueFacts } from "./policy";

const HOUR = 3600_000;
const DAY = 24 * HOUR;
const now = new Date("2026-03-01T12:00:00Z");
const at = (offset: number) => new Date(now.getTime() + offset);

function facts(overrides: Partial<DueFacts>): DueFacts {
  return {
    provider: "x",
    expiresAt: at(HOUR),
    issuedAt: at(-HOUR),
    hasRefreshToken: true,
    expiryWarnedAt: null,
    lastRefreshAt: null,
    ...overrides,
  };
}

describe("dueAction", () => {
  it("short-lived providers: due when they end before the next sweep plus a margin", () => {
    for (const provider of ["x", "google", "microsoft"] as const) {
      expect(dueAction(facts({ provider, expiresAt: at(HOUR) }), now)).toBe("refresh");
      expect(dueAction(facts({ provider, expiresAt: at(-HOUR) }), now)).toBe("refresh");
      expect(dueAction(facts({ provider, expiresAt: at(7 * HOUR) }), now)).toBe("refresh");
      expect(dueAction(facts({ provider, expiresAt: at(7 * HOUR + 1) }), now)).toBe("none");
    }
    expect(DEFAULT_REFRESH_POLICY.shortLivedWindowMs).toBeGreaterThan(6 * HOUR);
  });

  it("instagram: only once 24 h old, and within 30 days of the end", () => {
    const ig = (age: number, left: number) =>
      dueAction(
        facts({
          provider: "instagram",
          issuedAt: at(-age),
          expiresAt: at(left),
          hasRefreshToken: false,
        }),
        now,
      );
    expect(ig(DAY, 20 * DAY)).toBe("refresh");
    expect(ig(DAY - 1, 20 * DAY)).toBe("none");
    expect(ig(40 * DAY, 30 * DAY)).toBe("refresh");
    expect(ig(2 * DAY, 30 * DAY + 1)).toBe("none");
    // Expired: the attempt flags it for re-linking (Instagram cannot revive it).
    expect(ig(61 * DAY, -HOUR)).toBe("refresh");
  });

  it("linkedin partners: within 7 days; without a refresh token: warned like facebook", () => {
    expect(dueAction(facts({ provider: "linkedin", expiresAt: at(6 * DAY) }), now)).toBe("refresh");
    expect(dueAction(facts({ provider: "linkedin", expiresAt: at(8 * DAY) }), now)).toBe("none");
    const noRt = facts({ provider: "linkedin", hasRefreshToken: false, expiresAt: at(6 * DAY) });
    expect(dueAction(noRt, now)).toBe("warn_expiry");
  });

  it("facebook: warned once within the warning window, lapsed after the end", () => {
    const fb = (left: number, warned: Date | null = null) =>
      dueAction(
        facts({
          provider: "facebook",
          hasRefreshToken: false,
          expiresAt: at(left),
          expiryWarnedAt: warned,
        }),
        now,
      );
    expect(fb(20 * DAY)).toBe("none");
    expect(fb(7 * DAY)).toBe("warn_expiry");
    expect(fb(3 * DAY, at(-DAY))).toBe("none");
    expect(fb(-1)).toBe("lapsed");
    expect(fb(-1, at(-DAY))).toBe("lapsed");
    expect(
      dueAction(facts({ provider: "facebook", expiresAt: at(3 * DAY) }), now, {
        ...DEFAULT_REFRESH_POLICY,
        expiryWarningMs: 2 * DAY,
      }),
    ).toBe("none");
  });

  it("the sweep leaves alone what was refreshed within the last hour", () => {
    const refreshedAt = (ago: number) => facts({ expiresAt: at(HOUR), lastRefreshAt: at(-ago) });
    expect(dueAction(refreshedAt(10 * 60_000), now)).toBe("none");
    expect(dueAction(refreshedAt(HOUR), now)).toBe("refresh");
    // Warnings and lapses are not refreshes: spacing does not apply.
    const fb = facts({ provider: "facebook", expiresAt: at(-1), lastRefreshAt: at(-1) });
    expect(dueAction(fb, now)).toBe("lapsed");
  });

  it("a token that never expires is never due", () => {
    for (const provider of ["x", "instagram", "facebook", "linkedin"] as const) {
      expect(dueAction(facts({ provider, expiresAt: null }), now)).toBe("none");
    }
  });
});

describe("cannotRefresh", () => {
  it("facebook always; the others without a refresh token, except instagram", () => {
    expect(cannotRefresh({ provider: "facebook", hasRefreshToken: true })).toBe(true);
    expect(cannotRefresh({ provider: "instagram", hasRefreshToken: false })).toBe(false);
    expect(cannotRefresh({ provider: "x", hasRefreshToken: false })).toBe(true);
    expect(cannotRefresh({ provider: "google", hasRefreshToken: true })).toBe(false);
  });
});
