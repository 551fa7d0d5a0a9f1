import type { Operation } from "@trpc/client";

/**
 * Which access token one attempt of an operation actually went out with. The auth link
 * attaches a fresh record to each attempt's context; the HTTP link's `headers` fills it in
 * when it builds the request. Reading the token at send time (not at dispatch) means a
 * retry queued behind a refresh always carries the newest token, and comparing the sent
 * token with the stored one tells a failure that a refresh already fixed from one that
 * needs a refresh.
 */
export class SentToken {
  /** undefined: the request was never built; null: it went out without a token. */
  accessToken: string | null | undefined = undefined;
}

const CONTEXT_KEY = "lifeline.sentToken";

export function withSentToken(op: Operation, record: SentToken): Operation {
  return { ...op, context: { ...op.context, [CONTEXT_KEY]: record } };
}

export function sentTokenOf(op: Operation): SentToken | null {
  const record = op.context[CONTEXT_KEY];
  return record instanceof SentToken ? record : null;
}
