/**
 * The email of an already validated input. Credential middlewares sit after `.input()`, so
 * zod has run: a malformed request got BAD_REQUEST before any limit was counted.
 */
export function inputEmail(input: unknown): string {
  if (typeof input === "object" && input !== null && "email" in input) {
    const { email } = input;
    if (typeof email === "string") return email;
  }
  // Only a wiring mistake gets here (middleware before `.input()`, or no email field).
  throw new Error("Credential middleware used on a procedure whose input has no email");
}
