/** bcrypt reads at most 72 bytes; longer inputs are rejected, never truncated. */
export const PASSWORD_MIN_BYTES = 8;
export const PASSWORD_MAX_BYTES = 72;

export function passwordByteLength(password: string): number {
  return Buffer.byteLength(password, "utf8");
}

/** True when bcrypt would read the whole password (it silently ignores bytes past 72). */
export function fitsBcrypt(password: string): boolean {
  return passwordByteLength(password) <= PASSWORD_MAX_BYTES;
}
