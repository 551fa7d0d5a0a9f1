/**
 * Entity-tag comparison for conditional requests (RFC 9110 §8.8.3, §13.1.2, §13.1.5).
 * Our tags are strong and quoted, e.g. `"9f86…08"`.
 */

/** The tags of an If-None-Match / If-Range value, quotes kept, `W/` dropped; or "*". */
function listedTags(header: string): string[] | "*" {
  if (header.trim() === "*") return "*";
  const tags: string[] = [];
  for (const match of header.matchAll(/(?:W\/)?("[^"]*")/g)) {
    if (match[1]) tags.push(match[1]);
  }
  return tags;
}

/**
 * If-None-Match uses the weak comparison: `W/"x"` matches `"x"`. True means the client's
 * copy is current: answer 304.
 */
export function noneMatchHits(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false;
  const tags = listedTags(header);
  return tags === "*" || tags.includes(etag);
}

/**
 * If-Range: the Range applies only if the client's validator is our current strong tag
 * (a weak tag or a date never matches: our responses carry no Last-Modified). Without
 * If-Range the Range applies.
 */
export function rangeStillValid(header: string | undefined, etag: string): boolean {
  if (header === undefined) return true;
  return header.trim() === etag;
}
