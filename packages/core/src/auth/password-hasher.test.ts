import { afterEach, describe, expect, it } from "vitest";

import { AppError } from "../errors/app-error";
import { createPasswordHasher, type PasswordHasher } from "./password-hasher";

let hasher: PasswordHasher | undefined;
afterEach(async () => {
  await hasher?.close();
  hasher = undefined;
});

describe("createPasswordHasher", () => {
  it("hashes at the configured cost in worker threads and verifies only the right password", async () => {
    hasher = createPasswordHasher({ cost: 4, workers: 1 });
    const hash = await hasher.hash("correct horse");
    expect(hash).toMatch(/^\$2[ab]\$04\$/);
    await expect(hasher.verify("correct horse", hash)).resolves.toBe(true);
    await expect(hasher.verify("correct horsE", hash)).resolves.toBe(false);
  });

  it("keeps one dummy hash, of the configured cost", async () => {
    hasher = createPasswordHasher({ cost: 5, workers: 1 });
    const [a, b] = await Promise.all([hasher.dummyHash(), hasher.dummyHash()]);
    expect(a).toBe(b);
    expect(a).toMatch(/^\$2[ab]\$05\$/);
  });

  it("does not block the event loop while hashing", async () => {
    hasher = createPasswordHasher({ cost: 10, workers: 1 });
    let ticks = 0;
    const timer = setInterval(() => ticks++, 5);
    await Promise.all([hasher.hash("a"), hasher.hash("b"), hasher.hash("c")]);
    clearInterval(timer);
    // Three cost-10 hashes take well over 100 ms; a blocked loop would tick once or twice.
    expect(ticks).toBeGreaterThan(10);
  });

  it("refuses at once, with a Retry-After, when its queue is full", async () => {
    const pool = createPasswordHasher({ cost: 8, workers: 1, maxQueue: 2 });
    hasher = pool;
    const hash = await pool.hash("x");
    const outcomes = await Promise.allSettled(
      Array.from({ length: 6 }, () => pool.verify("x", hash)),
    );
    const refused = outcomes.filter((o) => o.status === "rejected");
    // One runs, two wait; the other three are refused.
    expect(refused).toHaveLength(3);
    for (const outcome of refused) {
      const error: unknown = outcome.reason;
      expect(error).toBeInstanceOf(AppError);
      expect(error).toMatchObject({ code: "SERVICE_UNAVAILABLE", reason: "retry_later" });
      expect((error as AppError).retryAfterSeconds).toBeGreaterThanOrEqual(1);
    }
  });
});
