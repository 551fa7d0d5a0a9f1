import { APP_ERROR_REASONS } from "@lifeline/core";
import { z } from "zod";

/** One field-level problem: `path` is the dotted input path, "(input)" for the whole input. */
export const ZErrorDetailSchema = z.strictObject({
  path: z.string().meta({ examples: ["email"] }),
  message: z.string().meta({ examples: ["must be a valid email address"] }),
});

/**
 * The one error shape of the REST API (docs/openapi-bridge.md, "Error bodies over REST"):
 * the same fields tRPC sends in `error.data`. Strict, so a test can parse a response body
 * with it and know that nothing else leaked out.
 */
export const ZErrorResponseSchema = z
  .strictObject({
    error: z.strictObject({
      code: z.string().meta({
        description: "Machine-readable; tRPC's error keys (BAD_REQUEST, UNAUTHORIZED, …)",
        examples: ["BAD_REQUEST"],
      }),
      message: z.string().meta({
        description: "For people; validation errors name every field. 500s never say why.",
        examples: ["Invalid input: email: must be a valid email address"],
      }),
      reason: z
        .enum(APP_ERROR_REASONS)
        .optional()
        .meta({
          description:
            "Why, where it helps the client decide: on every 401 (token_expired: refresh; token_invalid: refresh or sign in; session_ended: sign in; credentials_invalid: wrong password or refresh token), on errors worth retrying (retry_later), and on a login refused until the email is verified (email_unverified, 403)",
          examples: ["token_expired"],
        }),
      details: z
        .array(ZErrorDetailSchema)
        .optional()
        .meta({ description: "Field-level problems, when there are any" }),
      requestId: z.string().meta({
        description: "Equals the x-request-id response header; quote it when reporting a problem",
        examples: ["0b6d3c1e-5f0a-4f4e-9d43-0e7c7c0b1f8a"],
      }),
    }),
  })
  .meta({ description: "Every 4xx and 5xx answer of the API has this shape." });

export type ErrorResponse = z.infer<typeof ZErrorResponseSchema>;
