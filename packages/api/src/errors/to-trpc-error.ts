import { AppError, type AppErrorCode } from "@lifeline/core";
import { isRecordNotFound } from "@lifeline/db";
import { TRPCError } from "@trpc/server";

import { isDependencyFailure } from "./dependency-failure";

type TRPCCode = TRPCError["code"];

/** AppError codes share tRPC's names; this table is where that promise is kept. */
const CODES: Record<AppErrorCode, TRPCCode> = {
  BAD_REQUEST: "BAD_REQUEST",
  UNAUTHORIZED: "UNAUTHORIZED",
  FORBIDDEN: "FORBIDDEN",
  NOT_FOUND: "NOT_FOUND",
  CONFLICT: "CONFLICT",
  PAYLOAD_TOO_LARGE: "PAYLOAD_TOO_LARGE",
  UNSUPPORTED_MEDIA_TYPE: "UNSUPPORTED_MEDIA_TYPE",
  TOO_MANY_REQUESTS: "TOO_MANY_REQUESTS",
  SERVICE_UNAVAILABLE: "SERVICE_UNAVAILABLE",
  INTERNAL_SERVER_ERROR: "INTERNAL_SERVER_ERROR",
};

export const UNAVAILABLE_MESSAGE = "A service this request needs is unavailable; try again shortly";

/** Seconds a client is asked to wait after an outage answer. */
export const UNAVAILABLE_RETRY_SECONDS = 5;

/**
 * What an unexpected failure means to a client, as an AppError: an outage of Postgres or
 * Redis is SERVICE_UNAVAILABLE (retry later), Prisma's "record not found" is NOT_FOUND;
 * anything else stays unknown (null) and becomes a 500. The original error is kept as the
 * cause, for the log only.
 */
export function appErrorFor(error: unknown): AppError | null {
  if (error instanceof AppError) return error;
  if (isDependencyFailure(error)) {
    return new AppError({
      code: "SERVICE_UNAVAILABLE",
      reason: "retry_later",
      message: UNAVAILABLE_MESSAGE,
      retryAfterSeconds: UNAVAILABLE_RETRY_SECONDS,
      cause: error,
    });
  }
  if (isRecordNotFound(error))
    return new AppError({ code: "NOT_FOUND", message: "Not found", cause: error });
  return null;
}

export function toTRPCError(error: AppError): TRPCError {
  return new TRPCError({ code: CODES[error.code], message: error.message, cause: error });
}
