/**
 * The stored form of an email: trimmed, Unicode-normalised and lower-cased, so that
 * "Ada@Example.com" and "ada@example.com" are one account.
 */
export function normaliseEmail(email: string): string {
  return email.trim().normalize("NFC").toLowerCase();
}
