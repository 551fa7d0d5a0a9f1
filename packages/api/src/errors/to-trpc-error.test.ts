import { AppError } from "@lifeline/core";
import { Prisma } from "@lifeline/db";
import { describe, expect, it } from "vitest";

import { RedisTimeoutError } from "../rate-limit/with-timeout";
import { appErrorFor } from "./to-trpc-error";

const prismaError = (code: string, meta?: Record<string, unknown>) =>
  new Prisma.PrismaClientKnownRequestError("driver words", {
    code,
    clientVersion: "7",
    ...(meta ? { meta } : {}),
  });

describe("appErrorFor", () => {
  it("passes domain errors through", () => {
    const error = new AppError({ code: "CONFLICT", message: "taken" });
    expect(appErrorFor(error)).toBe(error);
  });

  it("turns an unreachable Postgres or Redis into 503 retry_later, keeping the cause", () => {
    for (const cause of [
      prismaError("P1001"),
      prismaError("P2024"),
      prismaError("P2028"),
      prismaError("P2010", { driverAdapterError: { cause: { kind: "ConnectionClosed" } } }),
      new Error("Connection is closed."),
      new RedisTimeoutError("Rate limiter did not answer within 500 ms"),
      Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:6379"), { code: "ECONNREFUSED" }),
    ]) {
      const mapped = appErrorFor(cause);
      expect(mapped).toMatchObject({ code: "SERVICE_UNAVAILABLE", reason: "retry_later" });
      expect(mapped?.message).not.toContain("driver words");
      expect(mapped?.cause).toBe(cause);
      expect(mapped?.retryAfterSeconds).toBeGreaterThan(0);
    }
  });

  it("turns Prisma's record-not-found (P2025) into NOT_FOUND", () => {
    expect(appErrorFor(prismaError("P2025"))).toMatchObject({
      code: "NOT_FOUND",
      message: "Not found",
    });
  });

  it("leaves anything else unknown (a 500 whose cause is only logged)", () => {
    expect(appErrorFor(prismaError("P2021"))).toBeNull();
    expect(appErrorFor(new TypeError("x is undefined"))).toBeNull();
    expect(appErrorFor("a string")).toBeNull();
  });
});
