import { ProviderError, type ProviderErrorCode } from "@lifeline/providers";
import { describe, expect, it } from "vitest";

import { AppError } from "../errors/app-error";
import {
  appErrorForProviderError,
  LinkRefusedError,
  refusalForProviderError,
} from "./link-refusal";

const providerError = (code: ProviderErrorCode, extra: { retryAfterMs?: number } = {}) =>
  new ProviderError({
    code,
    provider: "x",
    message: "token exchange failed",
    status: 400,
    providerCode: "invalid_grant",
    providerMessage: "Value passed for the token was invalid. secret=abc123",
    ...extra,
  });

describe("link refusals", () => {
  it("are AppErrors carrying the refusal, a client reason and a status-like code", () => {
    const error = new LinkRefusedError("state_expired");
    expect(error).toBeInstanceOf(AppError);
    expect(error).toMatchObject({
      refusal: "state_expired",
      code: "BAD_REQUEST",
      reason: "link_state_invalid",
    });
    expect(new LinkRefusedError("state_other_user").code).toBe("FORBIDDEN");
    expect(new LinkRefusedError("access_denied").reason).toBe("link_cancelled");
    expect(new LinkRefusedError("account_taken")).toMatchObject({
      code: "CONFLICT",
      reason: "account_taken",
    });
    expect(new LinkRefusedError("provider_not_configured")).toMatchObject({
      code: "SERVICE_UNAVAILABLE",
      reason: "misconfigured",
    });
  });

  it("map each provider failure code, keeping the provider's words out of the message", () => {
    expect(refusalForProviderError(providerError("needs_relink"))).toMatchObject({
      refusal: "exchange_failed",
      code: "BAD_REQUEST",
      reason: "needs_relink",
    });
    expect(refusalForProviderError(providerError("misconfigured"))).toMatchObject({
      refusal: "misconfigured",
      code: "SERVICE_UNAVAILABLE",
      reason: "misconfigured",
      retryAfterSeconds: undefined,
    });
    const later = refusalForProviderError(providerError("retry_later", { retryAfterMs: 1500 }));
    expect(later).toMatchObject({
      refusal: "provider_unavailable",
      code: "SERVICE_UNAVAILABLE",
      reason: "retry_later",
      retryAfterSeconds: 2,
    });
    for (const code of ["needs_relink", "retry_later", "misconfigured"] as const) {
      expect(refusalForProviderError(providerError(code)).message).not.toMatch(
        /secret|invalid_grant/,
      );
      expect(appErrorForProviderError(providerError(code)).message).not.toMatch(
        /secret|invalid_grant/,
      );
    }
  });

  it("outside linking: needs_relink 409, retry_later 503 with Retry-After when known, misconfigured 503", () => {
    expect(appErrorForProviderError(providerError("needs_relink"))).toMatchObject({
      code: "CONFLICT",
      reason: "needs_relink",
    });
    expect(appErrorForProviderError(providerError("retry_later"))).toMatchObject({
      code: "SERVICE_UNAVAILABLE",
      reason: "retry_later",
      retryAfterSeconds: undefined,
    });
    expect(
      appErrorForProviderError(providerError("retry_later", { retryAfterMs: 60_000 }))
        .retryAfterSeconds,
    ).toBe(60);
    expect(appErrorForProviderError(providerError("misconfigured"))).toMatchObject({
      code: "SERVICE_UNAVAILABLE",
      reason: "misconfigured",
    });
  });
});
