import { defineFragment } from "../compose";
import { booleanFlag, positiveInt } from "../fields";

/**
 * Production defaults are the roadmap's (100 requests and 5 sign-ins per 15 minutes); in
 * development they would bite within minutes of clicking around, so they are looser there.
 */
export const rateLimitEnv = defineFragment({
  shape: {
    RATE_LIMIT_ENABLED: booleanFlag.default(true),
    RATE_LIMIT_GLOBAL_MAX: positiveInt.default(100),
    RATE_LIMIT_GLOBAL_WINDOW: positiveInt.default(15 * 60),
    RATE_LIMIT_AUTH_MAX: positiveInt.default(5),
    RATE_LIMIT_AUTH_WINDOW: positiveInt.default(15 * 60),
    RATE_LIMIT_REFRESH_MAX: positiveInt.default(60),
    RATE_LIMIT_REFRESH_WINDOW: positiveInt.default(15 * 60),
    /** Media bytes (content, thumbnails) per user: a timeline loads them by the hundred. */
    RATE_LIMIT_MEDIA_MAX: positiveInt.default(3000),
    RATE_LIMIT_MEDIA_WINDOW: positiveInt.default(15 * 60),
    /**
     * The provider's redirect back after linking (GET /api/accounts/{provider}/callback): no
     * bearer token, so counted per client IP. A person links six providers; 30 is plenty.
     */
    RATE_LIMIT_LINK_CALLBACK_MAX: positiveInt.default(30),
    RATE_LIMIT_LINK_CALLBACK_WINDOW: positiveInt.default(15 * 60),
    LOGIN_LOCKOUT_THRESHOLD: positiveInt.default(5),
    LOGIN_LOCKOUT_BASE_SECONDS: positiveInt.default(60),
    LOGIN_LOCKOUT_MAX_SECONDS: positiveInt.default(60 * 60),
    /** Failures on one account from all clients together that lock it for everyone. */
    LOGIN_ACCOUNT_FAILURE_MAX: positiveInt.default(100),
    LOGIN_ACCOUNT_FAILURE_WINDOW: positiveInt.default(60 * 60),
  },
  developmentDefaults: {
    RATE_LIMIT_GLOBAL_MAX: "5000",
    RATE_LIMIT_AUTH_MAX: "100",
    RATE_LIMIT_REFRESH_MAX: "600",
    LOGIN_LOCKOUT_THRESHOLD: "10",
    LOGIN_LOCKOUT_BASE_SECONDS: "10",
  },
});
