import { randomBytes } from "node:crypto";

import { describe, expect, it } from "vitest";

import { emailTokenForJob, hashEmailToken } from "./email-tokens";
import { successorOf } from "./refresh-token";

describe("emailTokenForJob", () => {
  const secret = randomBytes(32);

  it("is 256 bits of base64url, the same for the same job (a retry) and new for another", () => {
    const token = emailTokenForJob(secret, "email-1");
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(emailTokenForJob(secret, "email-1")).toBe(token);
    expect(emailTokenForJob(secret, "email-2")).not.toBe(token);
    expect(emailTokenForJob(randomBytes(32), "email-1")).not.toBe(token);
  });

  it("is domain-separated from refresh-token successors of the same secret", () => {
    expect(emailTokenForJob(secret, "x")).not.toBe(successorOf("x", secret));
  });

  it("is stored only as its SHA-256", () => {
    const token = emailTokenForJob(secret, "email-1");
    expect(hashEmailToken(token)).toMatch(/^[0-9a-f]{64}$/);
    expect(hashEmailToken(token)).not.toContain(token);
  });
});
