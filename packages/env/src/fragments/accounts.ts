import { z } from "zod";

import { defineFragment } from "../compose";
import { booleanFlag, wholeNumber } from "../fields";

/** Account lifecycle: email verification and password reset (API and jobs app). */
export const accountsEnv = defineFragment({
  shape: {
    /** Where the links in emails point: the frontend's pages for verifying and resetting. */
    FRONTEND_URL: z.url({ error: "must be a URL" }).default("http://localhost:5173"),
    /** Refuse sign-in until the address is verified (reason email_unverified). */
    REQUIRE_VERIFIED_EMAIL: booleanFlag.default(false),
    /** Seconds a verification link works (24 h) and a password-reset link works (1 h). */
    EMAIL_VERIFICATION_TTL: wholeNumber(60, 30 * 24 * 3600).default(24 * 3600),
    PASSWORD_RESET_TTL: wholeNumber(60, 24 * 3600).default(3600),
  },
});
