import { createHash } from "node:crypto";

import { normaliseEmail } from "@lifeline/core";

/**
 * The part of a Redis key that stands for an email: sha256 of the stored form of the
 * address, so Redis holds no address in clear and "Ada@Example.com" and "ada@example.com"
 * count as one account.
 */
export function emailKey(email: string): string {
  return createHash("sha256").update(normaliseEmail(email)).digest("hex");
}
