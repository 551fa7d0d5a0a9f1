import { describe, expect, it } from "vitest";

import type { HttpFailure } from "../src/http/client";
import { classifyGraphError } from "../src/meta/graph-errors";
import { classifyOAuthError } from "../src/oauth/errors";

const failure = (
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): HttpFailure => ({
  status,
  body,
  headers: new Headers(headers),
  what: "test",
});

describe("OAuth token-endpoint errors", () => {
  it.each([
    [
      400,
      { error: "invalid_grant", error_description: "Token has been expired or revoked." },
      "needs_relink",
    ],
    [
      400,
      { error: "invalid_request", error_description: "Value passed for the token was invalid." },
      "needs_relink",
    ],
    [
      400,
      {
        error: "invalid_request",
        error_description:
          "The provided authorization grant or refresh token is invalid, expired or revoked",
      },
      "needs_relink",
    ],
    [
      400,
      { error: "invalid_request", error_description: 'A required parameter "code" is missing' },
      "misconfigured",
    ],
    [400, { error: "interaction_required", error_codes: [50076] }, "needs_relink"],
    [401, { error: "invalid_client", error_description: "Unauthorized" }, "misconfigured"],
    [
      401,
      { error: "unauthorized_client", error_description: "Missing valid authorization header" },
      "misconfigured",
    ],
    [400, { error: "invalid_scope" }, "misconfigured"],
    [503, { error: "temporarily_unavailable" }, "retry_later"],
    [500, { error: "internal_failure" }, "retry_later"],
  ] as const)("%i %j is %s", (status, body, code) => {
    expect(classifyOAuthError(failure(status, body))?.code).toBe(code);
  });

  it("leaves other bodies to the next reader", () => {
    expect(classifyOAuthError(failure(400, { error: { code: 190 } }))).toBeUndefined();
    expect(classifyOAuthError(failure(400, "oops"))).toBeUndefined();
  });
});

describe("Meta Graph errors", () => {
  const graph = (code: number, extra: Record<string, unknown> = {}) => ({
    error: { message: "m", type: "IGApiException", code, ...extra },
  });

  it.each([
    [190, "needs_relink"],
    [10, "needs_relink"],
    [200, "needs_relink"],
    [299, "needs_relink"],
    [1, "retry_later"],
    [2, "retry_later"],
    [4, "retry_later"],
    [17, "retry_later"],
    [32, "retry_later"],
    [341, "retry_later"],
    [368, "retry_later"],
    [613, "retry_later"],
    [80002, "retry_later"],
    [101, "misconfigured"],
    [3, "misconfigured"],
  ] as const)("code %i is %s, whatever the type", (code, expected) => {
    expect(classifyGraphError(failure(400, graph(code)))?.code).toBe(expected);
    expect(classifyGraphError(failure(400, graph(code, { type: "OAuthException" })))?.code).toBe(
      expected,
    );
  });

  it("is_transient, 5xx, a vanished object and a spent code", () => {
    expect(classifyGraphError(failure(400, graph(99, { is_transient: true })))?.code).toBe(
      "retry_later",
    );
    expect(classifyGraphError(failure(500, graph(99)))?.code).toBe("retry_later");
    expect(classifyGraphError(failure(400, graph(100, { error_subcode: 33 })))).toMatchObject({
      code: "retry_later",
      itemNotFound: true,
    });
    expect(
      classifyGraphError(
        failure(400, { error: { code: 100, message: "This authorization code has been used." } }),
      )?.code,
    ).toBe("needs_relink");
    expect(
      classifyGraphError(
        failure(400, {
          error: { code: 100, message: "Please make sure your redirect_uri is identical" },
        }),
      )?.code,
    ).toBe("misconfigured");
  });

  it("reads the legacy api.instagram.com shape", () => {
    const legacy = (message: string) => ({
      error_type: "OAuthException",
      code: 400,
      error_message: message,
    });
    expect(
      classifyGraphError(failure(400, legacy("Matching code was not found or was already used")))
        ?.code,
    ).toBe("needs_relink");
    expect(classifyGraphError(failure(400, legacy("Invalid platform app")))?.code).toBe(
      "misconfigured",
    );
  });
});
