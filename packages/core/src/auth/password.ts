import bcrypt from "bcryptjs";

/** bcrypt reads at most 72 bytes; longer inputs are rejected upstream, never truncated. */
export const PASSWORD_MIN_BYTES = 8;
export const PASSWORD_MAX_BYTES = 72;

export function passwordByteLength(password: string): number {
  return Buffer.byteLength(password, "utf8");
}

/** bcryptjs's async API works in chunks between event-loop turns, so a burst of logins
 * does not stall other requests the way hashSync would. */
export function hashPassword(password: string, cost: number): Promise<string> {
  return bcrypt.hash(password, cost);
}

export function verifyPassword(password: string, hash: string): Promise<boolean> {
  return bcrypt.compare(password, hash);
}

const dummyHashes = new Map<number, Promise<string>>();

/**
 * A hash of the configured cost to compare against when the email is unknown, so a failed
 * login costs the same time whether or not the account exists.
 */
export function dummyHash(cost: number): Promise<string> {
  let hash = dummyHashes.get(cost);
  if (!hash) {
    hash = bcrypt.hash("lifeline-timing-equaliser", cost);
    dummyHashes.set(cost, hash);
  }
  return hash;
}
