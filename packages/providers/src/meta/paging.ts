import { z } from "zod";

export const GraphPaging = z
  .looseObject({
    cursors: z
      .looseObject({ before: z.string().optional(), after: z.string().optional() })
      .optional(),
    next: z.string().optional(),
  })
  .optional();

/**
 * The `after` cursor of the next page, or null at the end (no `next`). Only the cursor is
 * kept: Facebook's `next` URL carries the access token, which must not end up in a stored
 * resume cursor.
 */
export function nextAfter(paging: z.output<typeof GraphPaging>): string | null {
  if (!paging?.next) return null;
  if (paging.cursors?.after) return paging.cursors.after;
  try {
    return new URL(paging.next).searchParams.get("after");
  } catch {
    return null;
  }
}
