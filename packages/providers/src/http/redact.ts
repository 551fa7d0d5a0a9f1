/**
 * A URL fit for a log line or an error message: origin and path only. The Meta APIs take
 * access_token and client_secret in the query string, and CDN URLs carry signatures there,
 * so a query is never shown.
 */
export function redactUrl(url: string | URL): string {
  try {
    const parsed = typeof url === "string" ? new URL(url) : url;
    return `${parsed.origin}${parsed.pathname}${parsed.search ? "?[redacted]" : ""}`;
  } catch {
    return "[unparseable url]";
  }
}

const MAX_PROVIDER_TEXT = 500;

/**
 * A provider's error text, safe to keep: every secret this request sent is blanked (some
 * providers echo what they were given) and the text is cut short.
 */
export function scrubSecrets(
  text: string | undefined,
  secrets: readonly (string | undefined)[],
): string | undefined {
  if (text === undefined) return undefined;
  let scrubbed = text;
  for (const secret of secrets) {
    // Short values (e.g. "1") would blank innocent text and are not secrets worth hiding.
    if (secret && secret.length >= 6) scrubbed = scrubbed.split(secret).join("[redacted]");
  }
  return scrubbed.length > MAX_PROVIDER_TEXT
    ? `${scrubbed.slice(0, MAX_PROVIDER_TEXT)}…`
    : scrubbed;
}
