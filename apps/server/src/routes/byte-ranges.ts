/**
 * What a request's `Range` header asks of a representation of `size` bytes (RFC 9110
 * §14.1.2, §14.2):
 * - `whole`: no Range, one we ignore (another unit, a syntax error, `a-b` with b < a: the
 *   RFC says an invalid Range header is ignored), or several ranges, which we answer with
 *   the whole representation (200) rather than multipart/byteranges;
 * - `partial`: one satisfiable range, clipped to the end (206), `end` inclusive;
 * - `unsatisfiable`: one well-formed range that starts at or past the end, or a suffix of
 *   zero bytes (416 with `Content-Range: bytes *\/size`).
 */
export type RangeRequest =
  { kind: "whole" } | { kind: "partial"; start: number; end: number } | { kind: "unsatisfiable" };

const WHOLE: RangeRequest = { kind: "whole" };
/** One range-spec: `first-last`, `first-` or `-suffix` (digits only, no signs or spaces). */
const RANGE_SPEC = /^(?:(\d+)-(\d*)|-(\d+))$/;
/** Longer numbers are still well-formed; they only compare as "past any blob we hold". */
const toNumber = (digits: string) => Number(digits);

export function parseRange(header: string | undefined, size: number): RangeRequest {
  if (header === undefined) return WHOLE;
  const match = /^\s*bytes\s*=\s*(.*)$/i.exec(header);
  if (!match) return WHOLE;
  const specs = (match[1] ?? "").split(",").map((spec) => spec.trim());
  if (specs.length !== 1) return WHOLE;
  const spec = RANGE_SPEC.exec(specs[0] ?? "");
  if (!spec) return WHOLE;
  const [, first, last, suffix] = spec;

  if (suffix !== undefined) {
    const length = toNumber(suffix);
    if (length === 0 || size === 0) return { kind: "unsatisfiable" };
    return { kind: "partial", start: Math.max(0, size - length), end: size - 1 };
  }
  const start = toNumber(first ?? "");
  const end = last ? toNumber(last) : Infinity;
  if (end < start) return WHOLE;
  if (start >= size) return { kind: "unsatisfiable" };
  return { kind: "partial", start, end: Math.min(end, size - 1) };
}
