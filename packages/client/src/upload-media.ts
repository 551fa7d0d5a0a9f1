import { createTRPCClient, httpLink, TRPCClientError } from "@trpc/client";
import { TRPC_ERROR_CODES_BY_KEY } from "@trpc/server/rpc";

import type { LifelineClientError } from "./errors";
import { baseHeaders, type HeadersOption } from "./headers";
import { refusalAction } from "./refusal";
import type { AppRouter } from "./router";
import { sessionRefresherFor } from "./shared-refresher";
import type { TokenStore } from "./token-store";
import type { LifelineErrorData, RouterOutputs } from "./types";
import {
  sendWithFetch,
  sendWithXhr,
  xhrConstructor,
  type Fetch,
  type UploadProgress,
  type UploadResponse,
} from "./upload-transport";
import { resolveTrpcUrl } from "./url";

export type { UploadProgress } from "./upload-transport";

/** A media item as the API returns it (the same shape as `media.get`'s `item`). */
export type MediaItem = RouterOutputs["media"]["get"]["item"];

/** Where to upload to: the same settings as `createLifelineClient`'s. */
export interface UploadTarget {
  /** The server's base URL (`http://localhost:3000`) or its tRPC endpoint (`…/trpc`). */
  url: string | URL;
  /** The store the client keeps its tokens in: the upload sends and renews the same ones. */
  tokens: TokenStore;
  /** A `fetch` to use; given one, the upload goes through it (not XMLHttpRequest). */
  fetch?: Fetch;
  /** Extra headers (CORS must allow them); Authorization is the client's and is dropped. */
  headers?: HeadersOption;
}

export interface UploadMediaOptions {
  /** The file name to send; by default a File's own name, else "blob". */
  name?: string;
  /** Called as the file's bytes go out; starts again from 0 if the upload is retried. */
  onProgress?: (progress: UploadProgress) => void;
  signal?: AbortSignal;
}

/** The server's base URL from the client's `url` (which may name the tRPC endpoint). */
function apiBase(url: string | URL): string {
  return resolveTrpcUrl(url).replace(/\/trpc$/, "");
}

/** The REST error body: `{ error: { code, message, reason?, details?, requestId } }`. */
function restError(body: unknown): Record<string, unknown> | null {
  if (typeof body !== "object" || body === null || !("error" in body)) return null;
  const { error } = body;
  return typeof error === "object" && error !== null ? (error as Record<string, unknown>) : null;
}

const isCodeKey = (code: unknown): code is keyof typeof TRPC_ERROR_CODES_BY_KEY =>
  typeof code === "string" && code in TRPC_ERROR_CODES_BY_KEY;

/**
 * The server's refusal as the error every other call of the client rejects with: a
 * TRPCClientError whose `data` has the code, HTTP status, reason, details and request id,
 * so `isLifelineError`, `lifelineErrorCode` and `lifelineErrorReason` work on it.
 */
function refusalError(response: UploadResponse): LifelineClientError {
  const error = restError(response.body);
  const message =
    typeof error?.message === "string"
      ? error.message
      : `The upload failed with HTTP ${response.status}`;
  if (!error || !isCodeKey(error.code)) {
    // Not an answer of this API (a proxy's error page, say): no typed data to give.
    return new TRPCClientError<AppRouter>(message, { meta: { status: response.status } });
  }
  const data = {
    code: error.code,
    httpStatus: response.status,
    ...(typeof error.requestId === "string" ? { requestId: error.requestId } : {}),
    ...(typeof error.reason === "string" ? { reason: error.reason } : {}),
    ...(Array.isArray(error.details) ? { details: error.details } : {}),
  } as LifelineErrorData;
  return new TRPCClientError<AppRouter>(message, {
    result: { error: { message, code: TRPC_ERROR_CODES_BY_KEY[error.code], data } },
  });
}

function itemOf(body: unknown): MediaItem {
  if (typeof body === "object" && body !== null && "item" in body) return body.item as MediaItem;
  throw new TRPCClientError<AppRouter>("The server answered the upload without an item");
}

/** Anything thrown while sending, as the client's error type (network failures, aborts). */
function sendError(cause: unknown): LifelineClientError {
  return TRPCClientError.from<AppRouter>(cause instanceof Error ? cause : new Error(String(cause)));
}

/**
 * Uploads one file to the media library (`POST /api/media`) and returns its item: the new
 * one, or the existing one when this user already uploaded these exact bytes. It sends the
 * stored access token and, when the server says it expired or is invalid, renews the session
 * once through the refresher every client on the same token store shares, then sends the
 * file again. Refusals reject like any call of the client: `lifelineErrorCode(error)` is
 * `UNSUPPORTED_MEDIA_TYPE`, `PAYLOAD_TOO_LARGE`, `BAD_REQUEST`… and an ended session is a
 * `SessionExpiredError` (the tokens are cleared).
 *
 * Progress comes from XMLHttpRequest's upload events in browsers; elsewhere (Node) from a
 * form body the helper streams itself through `fetch`.
 */
export async function uploadMedia(
  target: UploadTarget,
  file: Blob,
  options: UploadMediaOptions = {},
): Promise<MediaItem> {
  const { tokens } = target;
  const trpcUrl = resolveTrpcUrl(target.url);
  const refresher = sessionRefresherFor(tokens, (refreshToken) =>
    createTRPCClient<AppRouter>({
      links: [
        httpLink({ url: trpcUrl, fetch: target.fetch, headers: () => baseHeaders(target.headers) }),
      ],
    }).auth.refresh.mutate({ refreshToken }),
  );
  const Xhr = target.fetch ? null : xhrConstructor();
  const fetch = target.fetch ?? globalThis.fetch;
  const name = options.name ?? (file as Partial<File>).name ?? "blob";

  const attempt = async (isRetry: boolean): Promise<MediaItem> => {
    const accessToken = tokens.get()?.accessToken ?? null;
    const headers = {
      ...(await baseHeaders(target.headers)),
      ...(accessToken ? { authorization: `Bearer ${accessToken}` } : {}),
    };
    const request = {
      url: `${apiBase(target.url)}/api/media`,
      file,
      name,
      headers,
      onProgress: options.onProgress,
      signal: options.signal,
    };
    let response: UploadResponse;
    try {
      response = Xhr ? await sendWithXhr(Xhr, request) : await sendWithFetch(fetch, request);
    } catch (cause) {
      throw sendError(cause);
    }
    if (response.status === 200 || response.status === 201) return itemOf(response.body);
    const refusal = refusalError(response);
    // The same decision the client's auth link makes for a refused call (refusal.ts).
    const action = refusalAction(
      {
        type: "mutation",
        path: "media.upload",
        id: 0,
        input: undefined,
        context: {},
        signal: null,
      },
      refusal,
      { isRetry, sentAccessToken: accessToken },
    );
    if (action === "pass" || !accessToken) throw refusal;
    try {
      await (action === "renew"
        ? refresher.renew(accessToken, refusal)
        : refresher.end(accessToken, refusal));
    } catch (renewError) {
      // SessionExpiredError, or why the refresh failed (offline, rate limited).
      throw sendError(renewError);
    }
    // After an ended session, other tokens are stored: worth one retry, no more.
    if (isRetry) throw refusal;
    return attempt(true);
  };
  return attempt(false);
}
