/** Extra headers for every request: fixed, or computed per request (may be async). */
export type HeadersOption =
  Record<string, string> | (() => Record<string, string> | Promise<Record<string, string>>);

/**
 * The caller's headers minus any Authorization: the client owns that header, and a second
 * spelling ("Authorization" next to "authorization") would be merged by fetch into one
 * invalid value.
 */
export async function baseHeaders(
  option: HeadersOption | undefined,
): Promise<Record<string, string>> {
  const headers = typeof option === "function" ? await option() : (option ?? {});
  return Object.fromEntries(
    Object.entries(headers).filter(([name]) => name.toLowerCase() !== "authorization"),
  );
}
