import { describe, expect, it } from "vitest";

import { parseJsonExact } from "../src/http/json";
import { redactUrl, scrubSecrets } from "../src/http/redact";
import { retryAfterMs, untilUtcMidnightMs } from "../src/http/retry-after";
import { parseCallback, splitScopes } from "../src/index";
import { parseProviderTime } from "../src/time";

describe("parseJsonExact", () => {
  it("keeps integers beyond 2^53 exact, as strings, and leaves the rest alone", () => {
    const parsed = parseJsonExact(
      '{"user_id":17841400123456789,"small":42,"neg":-9007199254740993,"f":1.5e3,"s":"17841400123456789 in a \\" string","a":[12345678901234567890]}',
    );
    expect(parsed).toEqual({
      user_id: "17841400123456789",
      small: 42,
      neg: "-9007199254740993",
      f: 1500,
      s: '17841400123456789 in a " string',
      a: ["12345678901234567890"],
    });
    expect(JSON.parse('{"user_id":17841400123456789}')).toEqual({ user_id: 17841400123456788 });
  });

  it("throws on malformed JSON like JSON.parse", () => {
    expect(() => parseJsonExact('{"data":[{"id":"1"')).toThrow(SyntaxError);
  });
});

describe("redaction", () => {
  it("never shows a query string", () => {
    expect(
      redactUrl(
        "https://graph.facebook.com/v25.0/oauth/access_token?client_secret=s3cret&code=abc",
      ),
    ).toBe("https://graph.facebook.com/v25.0/oauth/access_token?[redacted]");
    expect(redactUrl("https://graph.instagram.com/v25.0/me")).toBe(
      "https://graph.instagram.com/v25.0/me",
    );
  });

  it("blanks the secrets a request carried out of the provider's text", () => {
    expect(
      scrubSecrets("Invalid token EAAGabcdef123 for app", ["EAAGabcdef123", undefined, "1"]),
    ).toBe("Invalid token [redacted] for app");
    expect(scrubSecrets("x".repeat(800), [])?.length).toBe(501);
  });
});

describe("waits", () => {
  const now = new Date("2026-03-01T12:00:00Z");

  it("reads Retry-After in seconds or as a date, and X's reset when the window is spent", () => {
    expect(retryAfterMs(new Headers({ "retry-after": "120" }), now)).toBe(120_000);
    expect(retryAfterMs(new Headers({ "retry-after": "Sun, 01 Mar 2026 12:01:00 GMT" }), now)).toBe(
      60_000,
    );
    const reset = String(now.getTime() / 1000 + 900);
    expect(
      retryAfterMs(
        new Headers({ "x-rate-limit-reset": reset, "x-rate-limit-remaining": "0" }),
        now,
      ),
    ).toBe(900_000);
    expect(
      retryAfterMs(
        new Headers({ "x-rate-limit-reset": reset, "x-rate-limit-remaining": "12" }),
        now,
      ),
    ).toBeUndefined();
    expect(retryAfterMs(new Headers({ "retry-after": "99999999999" }), now)).toBe(
      7 * 24 * 3600_000,
    );
    expect(retryAfterMs(new Headers(), now)).toBeUndefined();
  });

  it("counts to 00:00 UTC for LinkedIn", () => {
    expect(untilUtcMidnightMs(new Date("2026-03-01T23:30:00Z"))).toBe(30 * 60_000);
  });
});

describe("parseCallback", () => {
  it("reads code and state, stripping Meta's #_ and #_=_", () => {
    expect(parseCallback("https://app.example/cb?code=AQBx#_")).toEqual({
      ok: true,
      code: "AQBx",
      state: null,
    });
    expect(parseCallback("https://app.example/cb?code=AQDy&state=s1#_=_")).toEqual({
      ok: true,
      code: "AQDy",
      state: "s1",
    });
    expect(parseCallback(new URLSearchParams("code=AQBx%23_&state=st"))).toEqual({
      ok: true,
      code: "AQBx",
      state: "st",
    });
    expect(parseCallback("code=c&state=s")).toEqual({ ok: true, code: "c", state: "s" });
  });

  it("tells a user's cancel from other errors", () => {
    expect(parseCallback("?error=access_denied&error_reason=user_denied&state=s")).toMatchObject({
      ok: false,
      error: "access_denied",
      cancelled: true,
      state: "s",
    });
    expect(parseCallback("?error=user_cancelled_login&error_description=no")).toMatchObject({
      cancelled: true,
      description: "no",
    });
    expect(parseCallback("?error=server_error")).toMatchObject({ ok: false, cancelled: false });
    expect(parseCallback("?state=s")).toMatchObject({ ok: false, error: "missing_code" });
  });
});

describe("splitScopes and times", () => {
  it("splits on commas and spaces, arrays too", () => {
    expect(splitScopes("email,openid profile")).toEqual(["email", "openid", "profile"]);
    expect(splitScopes(["instagram_business_basic", "a,b"])).toEqual([
      "instagram_business_basic",
      "a",
      "b",
    ]);
    expect(splitScopes(undefined)).toEqual([]);
  });

  it("normalises +0000 offsets and epoch milliseconds", () => {
    expect(parseProviderTime("2025-06-01T18:22:05+0000")?.toISOString()).toBe(
      "2025-06-01T18:22:05.000Z",
    );
    expect(parseProviderTime("2025-06-01T20:22:05+0200")?.toISOString()).toBe(
      "2025-06-01T18:22:05.000Z",
    );
    expect(parseProviderTime("1717245725000")?.toISOString()).toBe("2024-06-01T12:42:05.000Z");
    expect(parseProviderTime(1717245725000)?.toISOString()).toBe("2024-06-01T12:42:05.000Z");
    expect(parseProviderTime("not a date")).toBeNull();
    expect(parseProviderTime(undefined)).toBeNull();
  });
});
