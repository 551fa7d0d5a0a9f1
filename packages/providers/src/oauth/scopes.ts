/**
 * Granted scopes as a list. Providers disagree on the separator (LinkedIn's own examples use
 * both commas and spaces) and Instagram may send an array, so accept all of them.
 */
export function splitScopes(value: string | readonly string[] | null | undefined): string[] {
  if (value === null || value === undefined) return [];
  const parts = typeof value === "string" ? [value] : value;
  const scopes = parts.flatMap((part) => part.split(/[\s,]+/)).filter(Boolean);
  return [...new Set(scopes)];
}

/**
 * The scopes in `required` that `granted` lacks. An empty `granted` means the provider did
 * not say, so nothing is reported missing. `normalise` lets a provider compare its own
 * spellings (Microsoft returns `https://graph.microsoft.com/Mail.Read` for `Mail.Read`).
 */
export function missingScopes(
  granted: readonly string[],
  required: readonly string[],
  normalise: (scope: string) => string = (scope) => scope,
): string[] {
  if (granted.length === 0) return [];
  const have = new Set(granted.map(normalise));
  return required.filter((scope) => !have.has(normalise(scope)));
}
