/**
 * `Content-Disposition: inline` with the file's name, safe whatever the name holds
 * (RFC 6266, RFC 8187/5987): a plain-ASCII `filename` with anything risky replaced (quotes,
 * backslashes, control characters, path separators, non-ASCII) for old clients, and the
 * exact name as UTF-8 in `filename*` for everyone else. No name: just `inline`.
 */
export function inlineDisposition(name: string | null): string {
  // Control and format characters go; lone surrogates (not encodable) become U+FFFD.
  const cleaned = name
    ?.replace(/[\p{Cc}\p{Cf}]/gu, "")
    .replace(/\p{Cs}/gu, "\uFFFD")
    .trim();
  if (!cleaned) return "inline";
  const ascii = cleaned.replace(/[^\x20-\x7e]|["\\/%;]/g, "_");
  return `inline; filename="${ascii}"; filename*=UTF-8''${encodeRfc8187(cleaned)}`;
}

/** Percent-encodes everything but RFC 8187's attr-char (ALPHA / DIGIT / "!#$&+-.^_`|~"). */
function encodeRfc8187(value: string): string {
  return encodeURIComponent(value).replace(
    /['()*]/g,
    (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

/** The thumbnail's name: the item's name with `.webp` for its extension. */
export function thumbnailName(name: string | null): string | null {
  if (!name) return null;
  const dot = name.lastIndexOf(".");
  return `${dot > 0 ? name.slice(0, dot) : name}.thumbnail.webp`;
}
