import { describe, expect, it } from "vitest";

import { frontendLink } from "./compose-email";
import { failedSignInsTemplate } from "./templates/failed-sign-ins";
import { duration, escapeHtml } from "./templates/layout";
import { passwordResetTemplate } from "./templates/password-reset";
import { reconnectProviderTemplate } from "./templates/reconnect-provider";
import { registrationAttemptTemplate } from "./templates/registration-attempt";
import { verifyEmailTemplate } from "./templates/verify-email";

const LINK = "https://app.example.com/verify-email?token=abc_DEF-123";

describe("email templates", () => {
  it("verify: the link in both bodies, and how long it works", () => {
    const email = verifyEmailTemplate({ link: LINK, ttlSeconds: 24 * 3600 });
    expect(email.subject).toBe("Verify your email address");
    expect(email.text).toContain(LINK);
    expect(email.html).toContain(`href="${LINK}"`);
    expect(email.text).toContain("works once, for 24 hours");
  });

  it("reset: says the link works once, for 1 hour", () => {
    const email = passwordResetTemplate({
      link: "https://app.example.com/reset-password?token=t",
      ttlSeconds: 3600,
    });
    expect(email.text).toContain("https://app.example.com/reset-password?token=t");
    expect(email.text).toContain("works once, for 1 hour.");
    expect(email.html).toContain("works once, for 1 hour.");
  });

  it("registration attempt and failed sign-ins carry no link, and advise a reset", () => {
    for (const email of [registrationAttemptTemplate(), failedSignInsTemplate()]) {
      expect(email.text).not.toMatch(/https?:/);
      expect(email.html).not.toContain("<a ");
      expect(email.text).toMatch(/reset/i);
    }
  });

  it("reconnect: names the provider and the handle when known, and says something when not", () => {
    const known = reconnectProviderTemplate({
      provider: "Instagram",
      handle: "@ada",
      link: "https://app.example.com/",
    });
    expect(known.subject).toBe("Reconnect your Instagram account");
    expect(known.text).toContain("Instagram (@ada)");
    const unknown = reconnectProviderTemplate({
      provider: null,
      handle: null,
      link: "https://app.example.com/",
    });
    expect(unknown.subject).toBe("Reconnect a linked account");
    expect(unknown.text).toContain("one of your linked services");
  });

  it("escapes everything interpolated into the HTML", () => {
    const email = reconnectProviderTemplate({
      provider: `<script>alert("x")</script>`,
      handle: `a&b'c`,
      link: `https://app.example.com/?a=1&b="2"`,
    });
    expect(email.html).not.toContain("<script>");
    expect(email.html).toContain("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;");
    expect(email.html).toContain("a&amp;b&#39;c");
    expect(email.html).toContain('href="https://app.example.com/?a=1&amp;b=&quot;2&quot;"');
    // The plain text stays as it is.
    expect(email.text).toContain(`<script>alert("x")</script>`);
  });

  it("escapeHtml covers the five characters that matter", () => {
    expect(escapeHtml(`&<>"'`)).toBe("&amp;&lt;&gt;&quot;&#39;");
  });

  it("says durations in words", () => {
    expect(duration(3600)).toBe("1 hour");
    expect(duration(86400)).toBe("24 hours");
    expect(duration(1800)).toBe("30 minutes");
    expect(duration(60)).toBe("1 minute");
  });
});

describe("frontendLink", () => {
  it("joins FRONTEND_URL and the page with one slash, and encodes the token", () => {
    expect(frontendLink("http://localhost:5173", "verify-email", "a+b")).toBe(
      "http://localhost:5173/verify-email?token=a%2Bb",
    );
    expect(frontendLink("https://app.example.com/lifeline/", "reset-password", "t")).toBe(
      "https://app.example.com/lifeline/reset-password?token=t",
    );
  });
});
