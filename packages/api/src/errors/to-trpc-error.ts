import type { AppError, AppErrorCode } from "@lifeline/core";
import { TRPCError } from "@trpc/server";

type TRPCCode = TRPCError["code"];

/** AppError codes share tRPC's names; this table is where that promise is kept. */
const CODES: Record<AppErrorCode, TRPCCode> = {
  BAD_REQUEST: "BAD_REQUEST",
  UNAUTHORIZED: "UNAUTHORIZED",
  FORBIDDEN: "FORBIDDEN",
  NOT_FOUND: "NOT_FOUND",
  CONFLICT: "CONFLICT",
  PAYLOAD_TOO_LARGE: "PAYLOAD_TOO_LARGE",
  TOO_MANY_REQUESTS: "TOO_MANY_REQUESTS",
  SERVICE_UNAVAILABLE: "SERVICE_UNAVAILABLE",
  INTERNAL_SERVER_ERROR: "INTERNAL_SERVER_ERROR",
};

export function toTRPCError(error: AppError): TRPCError {
  return new TRPCError({ code: CODES[error.code], message: error.message, cause: error });
}
