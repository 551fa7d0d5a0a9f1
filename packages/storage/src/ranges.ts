import type { ByteRange } from "./blob-storage";
import { BlobRangeError } from "./errors";

/** Refuses a range no object could serve, before any I/O. */
export function checkRange(range: ByteRange): void {
  const { start, end } = range;
  if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || start < 0 || end < start) {
    throw new BlobRangeError(range, null);
  }
}

/** The part of `range` an object of `size` bytes holds: the end is cut to the last byte. */
export function fitRange(range: ByteRange, size: number): ByteRange {
  if (range.start >= size) throw new BlobRangeError(range, size);
  return { start: range.start, end: Math.min(range.end, size - 1) };
}
