import { PASSWORD_MAX_BYTES, PASSWORD_MIN_BYTES, passwordByteLength } from "@lifeline/core";
import { z } from "zod";

/** Inputs and outputs of the auth procedures; the OpenAPI document is built from these. */

export const ZEmailSchema = z
  .email({ error: "must be a valid email address" })
  .max(254, { error: "must be at most 254 characters" })
  .meta({ examples: ["ada@example.com"] });

/** Measured in UTF-8 bytes, because that is what bcrypt limits. */
export const ZPasswordSchema = z
  .string({ error: "must be a string" })
  .refine((p) => passwordByteLength(p) >= PASSWORD_MIN_BYTES, {
    error: `must be at least ${PASSWORD_MIN_BYTES} bytes`,
  })
  .refine((p) => passwordByteLength(p) <= PASSWORD_MAX_BYTES, {
    error: `must be at most ${PASSWORD_MAX_BYTES} bytes (longer passwords are rejected, never truncated)`,
  })
  .meta({ examples: ["correct horse battery staple"] });

/** An existing password only needs to be a bounded string: rules may have changed since. */
const ZExistingPasswordSchema = z
  .string({ error: "must be a string" })
  .min(1, { error: "is required" })
  .max(1024, { error: "must be at most 1024 characters" });

export const ZCredentialsRequestSchema = z.object({
  email: ZEmailSchema,
  password: ZPasswordSchema,
});

export const ZLoginRequestSchema = z.object({
  email: ZEmailSchema,
  password: ZExistingPasswordSchema,
});

export const ZRefreshTokenSchema = z
  .string({ error: "must be a string" })
  .min(1, { error: "is required" })
  .max(256, { error: "must be at most 256 characters" })
  .meta({ examples: ["q3LmZ0cF8b9rYxS2VwKpT1uN4hEaDjG6oIiMnB7lC5w"] });

export const ZRefreshRequestSchema = z.object({ refreshToken: ZRefreshTokenSchema });

export const ZChangePasswordRequestSchema = z.object({
  currentPassword: ZExistingPasswordSchema,
  newPassword: ZPasswordSchema,
});

/** The token from an emailed link (43 base64url characters as we send them). */
export const ZEmailLinkTokenSchema = z
  .string({ error: "must be a string" })
  .min(1, { error: "is required" })
  .max(128, { error: "must be at most 128 characters" })
  .meta({ examples: ["Xk3v9QmT0bL2cR7sN1wY5zA8dE4fG6hJ0kM2nP4qS6u"] });

export const ZVerifyEmailRequestSchema = z.object({ token: ZEmailLinkTokenSchema });

export const ZEmailRequestSchema = z.object({ email: ZEmailSchema });

export const ZResetPasswordRequestSchema = z.object({
  token: ZEmailLinkTokenSchema,
  newPassword: ZPasswordSchema,
});

export const ZSessionIdRequestSchema = z.object({ id: z.uuid({ error: "must be a UUID" }) });

export const ZUserSchema = z
  .object({
    id: z.uuid(),
    email: z.string(),
    emailVerified: z.boolean(),
    emailVerifiedAt: z.string().nullable(),
    createdAt: z.string(),
  })
  .meta({ id: "User" });

export const ZTokenPairResponseSchema = z
  .object({
    accessToken: z.string(),
    refreshToken: z.string(),
    expiresIn: z.number().int().meta({ description: "Seconds until the access token expires" }),
    user: ZUserSchema,
  })
  .meta({ id: "TokenPair" });

/**
 * "Done; look in your inbox": the same body whatever the address (free or taken, known or
 * not), so a response never tells whether an account exists. `message` is for people.
 */
export const ZAcceptedResponseSchema = z
  .object({ ok: z.literal(true), message: z.string() })
  .meta({ id: "Accepted" });

export const ZMeResponseSchema = z.object({ user: ZUserSchema });

export const ZSessionsResponseSchema = z.object({
  sessions: z.array(
    z.object({
      id: z.uuid(),
      createdAt: z.string(),
      lastUsedAt: z.string(),
      userAgent: z.string().nullable(),
      ip: z.string().nullable(),
      current: z.boolean(),
    }),
  ),
});

export const ZOkResponseSchema = z.object({ ok: z.literal(true) });

export const ZRevokedCountResponseSchema = z.object({
  ok: z.literal(true),
  revokedSessions: z.number().int(),
});

/** For procedures that take nothing: the tRPC client calls them with no argument. */
export const ZNoInputSchema = z.void();
