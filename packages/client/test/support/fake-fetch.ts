/**
 * A scripted tRPC server behind a fake `fetch`, enough to unit-test the client: it speaks
 * tRPC's wire format for single and batched calls and records every call it receives.
 */

/** One procedure's answer: tRPC's envelope and the HTTP status it would come with. */
export interface Reply {
  status: number;
  body: { result: { data: unknown } } | { error: { message: string; code: number; data: object } };
}

export type ErrorCode = "UNAUTHORIZED" | "BAD_REQUEST" | "FORBIDDEN" | "TOO_MANY_REQUESTS";

const JSON_RPC_CODES: Record<ErrorCode, number> = {
  BAD_REQUEST: -32600,
  UNAUTHORIZED: -32001,
  FORBIDDEN: -32003,
  TOO_MANY_REQUESTS: -32029,
};
const HTTP_STATUSES: Record<ErrorCode, number> = {
  BAD_REQUEST: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  TOO_MANY_REQUESTS: 429,
};

export function ok(data: unknown): Reply {
  return { status: 200, body: { result: { data } } };
}

/** An error as the server formats it; `reason` only when given (an older server sends none). */
export function refused(code: ErrorCode, reason?: string): Reply {
  const status = HTTP_STATUSES[code];
  return {
    status,
    body: {
      error: {
        message: code,
        code: JSON_RPC_CODES[code],
        data: { code, httpStatus: status, requestId: "req-1", ...(reason ? { reason } : {}) },
      },
    },
  };
}

export interface ReceivedCall {
  procedure: string;
  authorization: string | null;
}

function urlOf(input: string | URL | Request): URL {
  return new URL(typeof input === "string" ? input : input instanceof URL ? input.href : input.url);
}

/**
 * `answer` decides each call's reply, in order. tRPC names the procedures in the path
 * (`/trpc/auth.me` or, batched, `/trpc/auth.me,auth.sessions?batch=1`).
 */
export function scriptedServer(
  answer: (procedure: string, headers: Headers) => Reply | Promise<Reply>,
) {
  const calls: ReceivedCall[] = [];
  /** The procedures of each HTTP request, in the order the requests arrived. */
  const requests: string[][] = [];

  const fetch: typeof globalThis.fetch = async (input, init) => {
    const url = urlOf(input);
    const procedures = url.pathname.replace(/^\/trpc\//, "").split(",");
    const headers = new Headers(init?.headers);
    requests.push(procedures);
    const replies: Reply[] = [];
    for (const procedure of procedures) {
      calls.push({ procedure, authorization: headers.get("authorization") });
      replies.push(await answer(procedure, headers));
    }
    if (url.searchParams.get("batch") !== "1") {
      const [reply] = replies;
      if (!reply) throw new Error("no procedure in the request");
      return Response.json(reply.body, { status: reply.status });
    }
    const statuses = new Set(replies.map((reply) => reply.status));
    const [status] = statuses;
    return Response.json(
      replies.map((reply) => reply.body),
      { status: statuses.size === 1 && status !== undefined ? status : 207 },
    );
  };

  return {
    fetch,
    calls,
    requests,
    /** How many times `procedure` was received (one per call, batched or not). */
    count: (procedure: string) => calls.filter((call) => call.procedure === procedure).length,
    /** The Authorization headers `procedure` was received with, in order. */
    authorizations: (procedure: string) =>
      calls.filter((call) => call.procedure === procedure).map((call) => call.authorization),
  };
}

export const USER = {
  id: "00000000-0000-4000-8000-000000000000",
  email: "a@example.com",
  emailVerified: false,
  emailVerifiedAt: null,
  createdAt: "2024-01-01T00:00:00.000Z",
};

/** What auth.refresh answers in these tests. */
export const NEW_PAIR = {
  accessToken: "new-access",
  refreshToken: "new-refresh",
  expiresIn: 900,
  user: USER,
};

export const OLD_PAIR = { accessToken: "old-access", refreshToken: "old-refresh" };
