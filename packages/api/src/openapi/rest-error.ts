import type { AppErrorDetail } from "@lifeline/core";
import { z } from "zod";

import { INTERNAL_MESSAGE } from "../errors/format-error";
import { validationMessage } from "../errors/error-details";

/** An error as trpc-to-openapi sent it, read back into the fields of the standard shape. */
export interface BridgeError {
  code: string;
  message: string;
  reason?: string;
  details?: AppErrorDetail[];
  /** The procedure that failed; absent when no procedure matched the method and path. */
  procedure?: string;
}

// trpc-to-openapi sends `{ ...errorShape, message, code: <key>, issues }`: our formatter's
// shape, with the message of a zod failure replaced by "Input validation failed".
const ZBridgeErrorSchema = z.object({
  message: z.string().optional(),
  code: z.string(),
  data: z
    .object({
      code: z.string().optional(),
      reason: z.string().optional(),
      path: z.string().optional(),
      details: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
    })
    .optional(),
  issues: z.array(z.unknown()).optional(),
});

/**
 * Reads a trpc-to-openapi error body; null when the body is not one (e.g. it already has the
 * standard shape). A validation failure gets back the message that names every field.
 */
export function readBridgeError(body: unknown): BridgeError | null {
  const parsed = ZBridgeErrorSchema.safeParse(body);
  if (!parsed.success) return null;
  const { message, code, data, issues } = parsed.data;
  const details = data?.details?.length ? data.details : undefined;
  const error: BridgeError = {
    code: data?.code ?? code,
    message:
      issues && details
        ? validationMessage(details)
        : (message ?? (code === "INTERNAL_SERVER_ERROR" ? INTERNAL_MESSAGE : code)),
  };
  if (data?.reason) error.reason = data.reason;
  if (details) error.details = details;
  if (data?.path) error.procedure = data.path;
  return error;
}
