import { TRPC_ERROR_CODES_BY_KEY } from "@trpc/server/rpc";

export interface EdgeError {
  status: number;
  code: string;
  message: string;
  requestId: string;
  reason?: string;
  details?: { path: string; message: string }[];
}

type TRPCKey = keyof typeof TRPC_ERROR_CODES_BY_KEY;

function isTRPCKey(code: string): code is TRPCKey {
  return code in TRPC_ERROR_CODES_BY_KEY;
}

/**
 * The one error shape. REST gets `{ error: { code, message, details?, requestId } }`; a /trpc
 * URL gets tRPC's envelope with the same fields in `data`, so @trpc/client still parses it.
 */
export function errorBody(url: string, error: EdgeError): Record<string, unknown> {
  const details = error.details?.length ? { details: error.details } : {};
  const reason = error.reason ? { reason: error.reason } : {};
  if (url.startsWith("/trpc")) {
    const key = isTRPCKey(error.code)
      ? error.code
      : error.status >= 500
        ? "INTERNAL_SERVER_ERROR"
        : "BAD_REQUEST";
    return {
      error: {
        message: error.message,
        code: TRPC_ERROR_CODES_BY_KEY[key],
        data: {
          code: error.code,
          httpStatus: error.status,
          ...reason,
          requestId: error.requestId,
          ...details,
        },
      },
    };
  }
  return {
    error: {
      code: error.code,
      message: error.message,
      ...reason,
      ...details,
      requestId: error.requestId,
    },
  };
}
