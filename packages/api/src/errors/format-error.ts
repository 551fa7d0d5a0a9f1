import { AppError, type AppErrorDetail, type AppErrorReason } from "@lifeline/core";
import type { TRPC_ERROR_CODE_NUMBER, TRPCDefaultErrorShape, TRPCError } from "@trpc/server";
import { ZodError } from "zod";

import { errorDetails, validationMessage } from "./error-details";

/** The `data` every tRPC error carries; REST sends the same fields as `{ error: … }`. */
export interface LifelineErrorData {
  code: TRPCError["code"];
  httpStatus: number;
  /** The application's reason, where it helps the client decide (see AppErrorReason). */
  reason?: AppErrorReason;
  path?: string;
  requestId: string | null;
  details?: AppErrorDetail[];
}

export const INTERNAL_MESSAGE = "Internal server error";

/**
 * One error shape for every procedure: validation errors name each field, domain errors
 * carry their reason, unexpected errors say nothing about their cause (it is logged), and
 * no stack, path or driver message ever leaves the process.
 */
export function formatError(
  shape: TRPCDefaultErrorShape,
  error: TRPCError,
  requestId: string | null,
): { message: string; code: TRPC_ERROR_CODE_NUMBER; data: LifelineErrorData } {
  const details = errorDetails(error);
  const appError = error.cause instanceof AppError ? error.cause : null;
  let message = error.message;
  if (error.code === "INTERNAL_SERVER_ERROR") message = INTERNAL_MESSAGE;
  else if (error.cause instanceof ZodError && details) message = validationMessage(details);
  return {
    message,
    code: shape.code,
    data: {
      code: shape.data.code,
      httpStatus: shape.data.httpStatus,
      ...(appError?.reason ? { reason: appError.reason } : {}),
      ...(shape.data.path ? { path: shape.data.path } : {}),
      requestId,
      ...(details?.length ? { details } : {}),
    },
  };
}
