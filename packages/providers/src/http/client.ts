import { Readable } from "node:stream";

import type { z } from "zod";

import { ProviderError, type ProviderErrorCode } from "../errors";
import type { ProviderId } from "../provider";
import { parseJsonExact } from "./json";
import { redactUrl, scrubSecrets } from "./redact";
import { retryAfterMs } from "./retry-after";

/** The two log methods the clients use; pino and Fastify's request logger both fit. */
export interface ProviderLogger {
  debug(object: Record<string, unknown>, message: string): void;
  warn(object: Record<string, unknown>, message: string): void;
}

export interface HttpRequest {
  /** For messages: "token exchange", "media listing", … */
  what: string;
  url: URL;
  method?: "GET" | "POST" | "DELETE";
  headers?: Record<string, string>;
  /** Sent as application/x-www-form-urlencoded; undefined values are left out. */
  form?: Record<string, string | undefined>;
  /** Every secret this request carries (tokens, client secret, code, verifier): scrubbed from errors. */
  secrets?: readonly (string | undefined)[];
}

/** A non-2xx answer, as the provider-specific classifiers see it. */
export interface HttpFailure {
  status: number;
  /** The parsed JSON body, or undefined when it was not JSON. */
  body: unknown;
  headers: Headers;
  what: string;
}

export interface Classification {
  code: ProviderErrorCode;
  providerCode?: string;
  providerMessage?: string;
  retryAfterMs?: number;
  itemNotFound?: boolean;
}

/** A provider's reading of its own error bodies; undefined falls back to the HTTP status. */
export type Classifier = (failure: HttpFailure) => Classification | undefined;

export interface HttpOptions {
  provider: ProviderId;
  /** Looked up on every call (not captured), so msw and test doubles installed later apply. */
  fetch?: typeof fetch;
  /** Until the response headers arrive; bodies (downloads) are not cut off. */
  timeoutMs: number;
  logger?: ProviderLogger;
  now: () => Date;
}

/** The HTTP status alone, when the body said nothing we recognise. */
export function classifyStatus(status: number): Classification {
  if (status === 429 || status === 408 || status >= 500) return { code: "retry_later" };
  if (status === 401) return { code: "needs_relink" };
  if (status === 404) return { code: "retry_later", itemNotFound: true };
  return { code: "misconfigured" };
}

const MAX_ERROR_BODY = 64 * 1024;

/**
 * The one way the clients talk HTTP: a timeout, network failures as retry_later, error
 * bodies classified by the provider's rules, JSON parsed without losing big ids and checked
 * against a zod schema, and URLs logged without their query strings.
 */
export class ProviderHttp {
  constructor(private readonly options: HttpOptions) {}

  get provider(): ProviderId {
    return this.options.provider;
  }

  now(): Date {
    return this.options.now();
  }

  error(
    code: ProviderErrorCode,
    message: string,
    extra: Partial<ConstructorParameters<typeof ProviderError>[0]> = {},
  ): ProviderError {
    return new ProviderError({ ...extra, code, message, provider: this.options.provider });
  }

  /** A 2xx response (body unread), or a ProviderError. */
  async send(request: HttpRequest, classify: Classifier): Promise<Response> {
    const { response, done } = await this.fetchWithTimeout(request);
    try {
      return await this.checkStatus(request, response, classify);
    } finally {
      done();
    }
  }

  private async checkStatus(
    request: HttpRequest,
    response: Response,
    classify: Classifier,
  ): Promise<Response> {
    if (response.ok) return response;
    const text = await readBounded(response);
    let body: unknown;
    try {
      body = text ? parseJsonExact(text) : undefined;
    } catch {
      body = undefined;
    }
    const failure: HttpFailure = {
      status: response.status,
      body,
      headers: response.headers,
      what: request.what,
    };
    const classified = classify(failure) ?? classifyStatus(response.status);
    const secrets = request.secrets ?? [];
    const waitMs = classified.retryAfterMs ?? retryAfterMs(response.headers, this.now());
    const error = this.error(
      classified.code,
      `${this.provider} ${request.what} failed with HTTP ${response.status}`,
      {
        status: response.status,
        providerCode: scrubSecrets(classified.providerCode, secrets),
        providerMessage: scrubSecrets(classified.providerMessage, secrets),
        ...(classified.code === "retry_later" && waitMs !== undefined
          ? { retryAfterMs: waitMs }
          : {}),
        itemNotFound: classified.itemNotFound ?? false,
      },
    );
    this.options.logger?.warn(
      { provider: this.provider, url: redactUrl(request.url), err: error.toJSON() },
      "provider request failed",
    );
    throw error;
  }

  /** A 2xx JSON body checked against `schema`. */
  async json<S extends z.ZodType>(
    request: HttpRequest,
    schema: S,
    classify: Classifier,
  ): Promise<z.output<S>> {
    // The timeout covers the body too: a stalled JSON body must not hang a job.
    const { response, done } = await this.fetchWithTimeout(request);
    let parsed: unknown;
    try {
      await this.checkStatus(request, response, classify);
      const text = await response.text().catch(() => {
        throw this.error("retry_later", `${this.provider} ${request.what} was cut off`, {
          status: response.status,
        });
      });
      try {
        parsed = parseJsonExact(text);
      } catch {
        // A truncated body or a proxy's HTML page: usually gone on the next try. (The
        // SyntaxError is not kept: its message quotes the body.)
        throw this.error(
          "retry_later",
          `${this.provider} ${request.what} returned malformed JSON`,
          {
            status: response.status,
          },
        );
      }
    } finally {
      done();
    }
    return this.check(request.what, schema, parsed, response.status);
  }

  /**
   * Valid JSON in a shape we do not know means the provider changed its API under us;
   * retrying will not help, so operations must look (misconfigured). Only field paths are
   * reported, never values.
   */
  check<S extends z.ZodType>(what: string, schema: S, value: unknown, status = 200): z.output<S> {
    const result = schema.safeParse(value);
    if (result.success) return result.data;
    const paths = result.error.issues
      .slice(0, 5)
      .map((issue) => issue.path.join(".") || "(root)")
      .join(", ");
    throw this.error(
      "misconfigured",
      `${this.provider} ${what} returned an unexpected shape (${paths})`,
      { status },
    );
  }

  /** The response once its headers arrived; `done()` stops the timeout clock. */
  private async fetchWithTimeout(
    request: HttpRequest,
  ): Promise<{ response: Response; done: () => void }> {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), this.options.timeoutMs);
    const started = performance.now();
    const headers: Record<string, string> = { accept: "application/json", ...request.headers };
    let body: string | undefined;
    if (request.form) {
      const form = new URLSearchParams();
      for (const [key, value] of Object.entries(request.form)) {
        if (value !== undefined) form.set(key, value);
      }
      body = form.toString();
      headers["content-type"] = "application/x-www-form-urlencoded";
    }
    const doFetch = this.options.fetch ?? globalThis.fetch;
    try {
      const response = await doFetch(request.url, {
        method: request.method ?? (body === undefined ? "GET" : "POST"),
        headers,
        body,
        signal: controller.signal,
        redirect: "follow",
      });
      this.options.logger?.debug(
        {
          provider: this.provider,
          method: request.method ?? (body === undefined ? "GET" : "POST"),
          url: redactUrl(request.url),
          status: response.status,
          ms: Math.round(performance.now() - started),
        },
        "provider request",
      );
      return { response, done: () => clearTimeout(timer) };
    } catch (cause) {
      clearTimeout(timer);
      const timedOut = controller.signal.aborted;
      const error = this.error(
        "retry_later",
        `${this.provider} ${request.what} ${timedOut ? "timed out" : "could not connect"}`,
      );
      this.options.logger?.warn(
        {
          provider: this.provider,
          url: redactUrl(request.url),
          err: error.toJSON(),
          // The network error's own text can quote the URL, so only its kind is kept.
          cause: cause instanceof Error ? cause.name : typeof cause,
        },
        "provider request failed",
      );
      throw error;
    }
  }
}

/** An error body, up to 64 KiB: enough for any error JSON, bounded against a runaway one. */
async function readBounded(response: Response): Promise<string> {
  if (!response.body) return "";
  const stream = Readable.fromWeb(response.body);
  const chunks: Buffer[] = [];
  let total = 0;
  try {
    for await (const chunk of stream) {
      const bytes = chunk as Buffer;
      chunks.push(bytes);
      total += bytes.length;
      if (total >= MAX_ERROR_BODY) {
        stream.destroy();
        break;
      }
    }
  } catch {
    // A body cut off mid-way still classifies by its status.
  }
  return Buffer.concat(chunks).toString("utf8").slice(0, MAX_ERROR_BODY);
}
