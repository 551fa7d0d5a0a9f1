/**
 * What the "look in your inbox" answers say. Each is the same whatever the address (free or
 * taken, with an account or without), so an answer never tells whether an account exists.
 */
export const ACCEPTED_MESSAGES = {
  registered: "Check your inbox: we sent this address an email with the next step.",
  verificationResent:
    "If this address belongs to an account that is not verified yet, a new verification link is on its way.",
  resetRequested:
    "If this address belongs to an account, a link to reset its password is on its way. It works once, for a limited time.",
} as const;
