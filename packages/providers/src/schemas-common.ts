import { z } from "zod";

/**
 * A provider id: kept as a string. Numbers are accepted only because parseJsonExact has
 * already turned every unsafe one into a string, so what remains converts exactly.
 */
export const IdString = z.union([
  z.string().min(1).max(512),
  z
    .number()
    .int()
    .transform((n) => String(n)),
]);

/** Seconds, sometimes sent as a numeric string. */
export const Seconds = z.union([z.number(), z.string().regex(/^\d+$/).transform(Number)]);

/** The standard OAuth 2.0 token response (X, Google, Microsoft, LinkedIn). */
export const OAuthTokenResponse = z.looseObject({
  access_token: z.string().min(1),
  token_type: z.string().optional(),
  expires_in: Seconds.optional(),
  refresh_token: z.string().min(1).optional(),
  refresh_token_expires_in: Seconds.optional(),
  scope: z.string().optional(),
  id_token: z.string().optional(),
});

export type OAuthTokenResponse = z.output<typeof OAuthTokenResponse>;
