/**
 * The server refuses tRPC batches of more than 10 calls (by default), so the client never
 * sends more in one request; calls beyond that go out in further requests of the same tick.
 */
export const DEFAULT_BATCH_MAX_ITEMS = 10;

/** `true` (default): batches of at most 10; `{ maxItems }`: another cap; `false`: no batching. */
export type BatchOption = boolean | { maxItems?: number };

/** The batch cap to give httpBatchLink, or null for one request per call. */
export function batchMaxItems(option: BatchOption | undefined): number | null {
  if (option === false) return null;
  if (option === undefined || option === true) return DEFAULT_BATCH_MAX_ITEMS;
  const maxItems = option.maxItems ?? DEFAULT_BATCH_MAX_ITEMS;
  // A cap of 0 or a fraction would make tRPC send empty or endless batches.
  if (!Number.isInteger(maxItems) || maxItems < 1) {
    throw new RangeError(`batch.maxItems must be a positive integer, got ${String(maxItems)}`);
  }
  return maxItems;
}
