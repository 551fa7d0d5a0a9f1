import { z } from "zod";

import { defineFragment } from "../compose";
import { booleanFlag, wholeNumber } from "../fields";

const url = z.url({ error: "must be a URL" }).max(2000);
const clientId = z.string().trim().min(1).max(512);
const clientSecret = z.string().trim().min(1).max(2048);

/** One provider's app credentials and, optionally, a base URL replacing all its hosts. */
function provider<const P extends string>(prefix: P) {
  return {
    [`${prefix}_CLIENT_ID`]: clientId.optional(),
    [`${prefix}_CLIENT_SECRET`]: clientSecret.optional(),
    [`${prefix}_BASE_URL`]: url.optional(),
  } as Record<
    `${P}_CLIENT_ID` | `${P}_CLIENT_SECRET` | `${P}_BASE_URL`,
    z.ZodOptional<z.ZodString>
  >;
}

const PREFIXES = ["INSTAGRAM", "X", "FACEBOOK", "GOOGLE", "MICROSOFT", "LINKEDIN"] as const;

/**
 * The provider clients (packages/providers): per provider an app's client id and secret (no
 * credentials: the provider is unavailable) and an optional `<NAME>_BASE_URL` that replaces
 * every host it uses (staging, an emulator). In development PROVIDER_STANDIN_URL points every
 * provider without credentials at the stand-in server (apps/provider-standins).
 */
export const providersEnv = defineFragment({
  shape: {
    /** The OAuth callback is `${OAUTH_REDIRECT_BASE_URL}/<provider>/callback`. */
    OAUTH_REDIRECT_BASE_URL: url.default("http://localhost:3000/api/accounts"),
    /** The stand-in server; development only (refused in production). */
    PROVIDER_STANDIN_URL: url.optional(),
    /** Per provider request, until the response headers (and the body, for JSON). */
    PROVIDER_TIMEOUT_MS: wholeNumber(1000, 300_000).default(30_000),
    /** The Graph API version pinned for Instagram and Facebook (each lives about two years). */
    META_GRAPH_VERSION: z
      .string()
      .regex(/^v\d+\.\d+$/, { error: "must look like v25.0" })
      .default("v25.0"),
    /** common (work and personal accounts), consumers, organizations, or a tenant id. */
    MICROSOFT_TENANT: z
      .string()
      .regex(/^(common|consumers|organizations|[0-9a-fA-F-]{36})$/, {
        error: "must be common, consumers, organizations or a tenant id",
      })
      .default("common"),
    /** The LinkedIn-Version header (YYYYMM); each version is supported for about a year. */
    LINKEDIN_API_VERSION: z
      .string()
      .regex(/^\d{6}$/, { error: "must be YYYYMM" })
      .default("202506"),
    /** The LinkedIn app is approved for r_member_social: ask for it and import posts. */
    LINKEDIN_MEMBER_POSTS: booleanFlag.default(false),
    ...provider("INSTAGRAM"),
    ...provider("X"),
    ...provider("FACEBOOK"),
    ...provider("GOOGLE"),
    ...provider("MICROSOFT"),
    ...provider("LINKEDIN"),
  },
  developmentDefaults: { PROVIDER_STANDIN_URL: "http://localhost:4010" },
  rules: (env, ctx) => {
    if (env.NODE_ENV === "production" && env.PROVIDER_STANDIN_URL) {
      ctx.addIssue({
        code: "custom",
        path: ["PROVIDER_STANDIN_URL"],
        message: "must not be set in production (it links fake accounts)",
      });
    }
    for (const prefix of PREFIXES) {
      const id = env[`${prefix}_CLIENT_ID`];
      const secret = env[`${prefix}_CLIENT_SECRET`];
      if (Boolean(id) !== Boolean(secret)) {
        ctx.addIssue({
          code: "custom",
          path: [id ? `${prefix}_CLIENT_SECRET` : `${prefix}_CLIENT_ID`],
          message: `is required when ${id ? `${prefix}_CLIENT_ID` : `${prefix}_CLIENT_SECRET`} is set`,
        });
      }
    }
  },
});
