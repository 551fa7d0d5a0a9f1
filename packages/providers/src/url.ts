/**
 * `base` (which may carry a path prefix, e.g. the stand-in's `/instagram`) plus `path`, with
 * the query parameters that are defined.
 */
export function endpoint(
  base: string,
  path: string,
  query: Record<string, string | number | undefined> = {},
): URL {
  const url = new URL(`${base.replace(/\/+$/, "")}${path.startsWith("/") ? path : `/${path}`}`);
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined) url.searchParams.set(key, String(value));
  }
  return url;
}

/** True when `candidate` lies under `base` (same origin, path below its prefix). */
export function isUnder(candidate: URL, base: string): boolean {
  const root = new URL(base.replace(/\/+$/, ""));
  const prefix = root.pathname.replace(/\/+$/, "");
  return (
    candidate.origin === root.origin &&
    (prefix === "" || candidate.pathname === prefix || candidate.pathname.startsWith(`${prefix}/`))
  );
}

/** `Authorization: Basic` for a client id and secret (form-encoded first, as RFC 6749 says). */
export function basicAuth(clientId: string, clientSecret: string): string {
  const encode = (value: string) => encodeURIComponent(value).replace(/%20/g, "+");
  return `Basic ${Buffer.from(`${encode(clientId)}:${encode(clientSecret)}`).toString("base64")}`;
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
