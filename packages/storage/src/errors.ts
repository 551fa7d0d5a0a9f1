/** Base of every error this package throws on purpose, so callers can tell them from bugs. */
export class BlobStorageError extends Error {
  override name = "BlobStorageError";
}

/** The body passed `maxBytes`; reading stopped there and the partial temp was removed. */
export class BlobTooLargeError extends BlobStorageError {
  override name = "BlobTooLargeError";
  constructor(readonly limit: number) {
    super(`the body is larger than the limit of ${limit} bytes`);
  }
}

export interface IntegrityMismatch {
  /** What differed: the content address asked for, a caller's expectation, or the stored temp. */
  field: "sha256" | "expectedSha256" | "expectedSize" | "storedSize";
  expected: string | number;
  actual: string | number;
}

/** A commit whose bytes are not what was claimed; the temp was removed, nothing was stored. */
export class BlobIntegrityError extends BlobStorageError {
  override name = "BlobIntegrityError";
  constructor(readonly mismatches: readonly IntegrityMismatch[]) {
    super(
      `the content does not match: ${mismatches
        .map((m) => `${m.field} expected ${m.expected}, got ${m.actual}`)
        .join("; ")}`,
    );
  }
}

/** A temp object that is not there (already committed, discarded or swept). */
export class BlobNotFoundError extends BlobStorageError {
  override name = "BlobNotFoundError";
  constructor(readonly key: string) {
    super(`no temp object ${key}`);
  }
}

/** A byte range that cannot be served: start after end, or start at or past the end. */
export class BlobRangeError extends BlobStorageError {
  override name = "BlobRangeError";
  constructor(
    readonly range: { start: number; end: number },
    /** The object's size, when known (a caller answers 416 with `bytes *\/size`). */
    readonly size: number | null,
  ) {
    super(
      `range ${range.start}-${range.end} cannot be served${size === null ? "" : ` from ${size} bytes`}`,
    );
  }
}
