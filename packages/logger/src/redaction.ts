/**
 * Field names whose values never reach a log line, at any depth we log. pino's redaction
 * (fast-redact) matches paths, not names, so each name is listed under a few wildcard
 * prefixes; request objects are covered by their exact header paths.
 */
const SECRET_FIELDS = [
  "password",
  "currentPassword",
  "newPassword",
  "passwordHash",
  "accessToken",
  "refreshToken",
  "idToken",
  "token",
  "access_token",
  "refresh_token",
  "id_token",
  "client_secret",
  "clientSecret",
  "secret",
  "code_verifier",
  "codeVerifier",
  "authorization",
  "cookie",
  "set-cookie",
];

const PREFIXES = ["", "*.", "*.*.", "*.*.*."];

function pathFor(prefix: string, field: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(field) ? `${prefix}${field}` : `${prefix}["${field}"]`;
}

export const redactPaths: string[] = [
  ...PREFIXES.flatMap((prefix) => SECRET_FIELDS.map((field) => pathFor(prefix, field))),
  'req.headers["x-api-key"]',
  'res.headers["set-cookie"]',
];

export const REDACTED = "[redacted]";
