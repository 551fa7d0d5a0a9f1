import { createHmac } from "node:crypto";

import { standinCredentials, type Credentials } from "../config";
import type { ProviderId } from "../provider";
import { createClock, type Clock } from "./clock";
import { FaultInjector, type FaultResponse } from "./faults";
import { OAuthStore, type Grant } from "./oauth-store";

export interface EmulatorOptions {
  clock?: Clock;
  /** The path the emulator is mounted under ("/instagram" in the stand-in server). */
  basePath?: string;
  /** The OAuth clients it accepts; default: the stand-in's fake credentials. */
  clients?: Credentials[];
  /** Media items seeded for the default account (0 for none). */
  media?: number;
}

export interface RequestContext {
  request: Request;
  url: URL;
  /** The path below the base, e.g. `/v25.0/me/media`. */
  path: string;
  /** Origin plus base path: where the emulator's own URLs (next pages, CDN) point. */
  base: string;
  /** The route's regular-expression groups. */
  params: string[];
}

export type RouteHandler = (ctx: RequestContext) => Response | Promise<Response>;
export type Route = [method: string, pattern: RegExp, handler: RouteHandler];

/** Thrown by helpers to answer at once (an auth failure deep in a handler). */
export class Answer extends Error {
  constructor(readonly response: Response) {
    super("answered");
  }
}

export function json(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json; charset=utf-8", ...headers },
  });
}

/** JSON written by hand (e.g. a bare 17-digit number that JSON.stringify cannot produce). */
export function rawJson(text: string, status = 200): Response {
  return new Response(text, { status, headers: { "content-type": "application/json" } });
}

export function text(body: string, status: number): Response {
  return new Response(body, { status, headers: { "content-type": "text/plain; charset=utf-8" } });
}

export interface ConsentSettings {
  /** Who "logs in"; default: the first account. */
  accountId?: string;
  /** Scopes the user unticks (granular consent, declined permissions). */
  decline: string[];
  /** The user presses Cancel. */
  deny: boolean;
}

export interface AuthorizeSpec {
  /** Reject a request without a code challenge (X). */
  requirePkce?: boolean;
  codeTtlMs: number;
  /** Appended to the success redirect (Meta adds `#_` / `#_=_`). */
  fragment?: string;
  /** The provider's cancel parameters. */
  denied?: Record<string, string>;
}

const SIGNING_KEY = "lifeline-emulator";

/**
 * The shared machinery of the six fake providers: a `(Request) => Promise<Response>`
 * handler (used by msw and by the stand-in server), fault injection, OAuth state, a consent
 * screen that answers at once, and a CDN whose signed URLs expire.
 */
export abstract class BaseEmulator {
  readonly clock: Clock;
  readonly faults = new FaultInjector();
  readonly oauth: OAuthStore;
  /** Every request seen (method and path below the base, no query): for assertions. */
  readonly requests: { method: string; path: string; query: URLSearchParams }[] = [];
  readonly clients = new Map<string, string>();
  consent: ConsentSettings = { decline: [], deny: false };
  /** CDN asset keys served with a Content-Length that does not match their bytes. */
  readonly corruptAssets = new Set<string>();
  protected readonly basePath: string;
  private urlSerial = 0;
  private expiredThrough = 0;
  private routeTable: Route[] | undefined;

  protected constructor(
    readonly provider: ProviderId,
    options: EmulatorOptions,
    prefixes: { code: string; access: string; refresh: string },
  ) {
    this.clock = options.clock ?? createClock();
    this.basePath = (options.basePath ?? "").replace(/\/+$/, "");
    this.oauth = new OAuthStore(this.clock, prefixes);
    for (const client of options.clients ?? [standinCredentials(provider)]) {
      this.clients.set(client.clientId, client.clientSecret);
    }
  }

  /** The routes of this provider, checked in order. */
  protected abstract routes(): Route[];
  /** A fault rendered in this provider's own error shape. */
  protected abstract renderFault(fault: FaultResponse, ctx: RequestContext): Response;
  /** The bytes behind a CDN asset key. */
  protected abstract asset(key: string): { bytes: Buffer; contentType: string } | undefined;
  /** The account the consent screen logs in by default. */
  protected abstract defaultAccountId(): string;

  readonly handle = async (request: Request): Promise<Response> => {
    const url = new URL(request.url);
    let path = url.pathname;
    if (this.basePath && path.startsWith(this.basePath))
      path = path.slice(this.basePath.length) || "/";
    const ctx: RequestContext = {
      request,
      url,
      path,
      base: `${url.origin}${this.basePath}`,
      params: [],
    };
    this.requests.push({ method: request.method, path, query: url.searchParams });
    const fault = this.faults.take(request.method, path);
    if (fault) return this.fault(fault, ctx);
    this.routeTable ??= [...this.routes(), ["GET", /^\/cdn\/(.+)$/, (c) => this.serveAsset(c)]];
    for (const [method, pattern, handler] of this.routeTable) {
      if (method !== "*" && method !== request.method) continue;
      const match = pattern.exec(path);
      if (!match) continue;
      try {
        return await handler({ ...ctx, params: match.slice(1).map((p) => decodeURIComponent(p)) });
      } catch (error) {
        if (error instanceof Answer) return error.response;
        throw error;
      }
    }
    return this.notFound(ctx);
  };

  protected notFound(_ctx: RequestContext): Response {
    return json({ error: { message: "Unknown path", code: 404 } }, 404);
  }

  private fault(fault: FaultResponse, ctx: RequestContext): Response {
    switch (fault.type) {
      case "network":
        return Response.error();
      case "malformed_json":
        return new Response('{"data":[{"id":"1"', {
          status: 200,
          headers: { "content-type": "application/json" },
        });
      case "status":
        return new Response(
          fault.body === undefined
            ? null
            : typeof fault.body === "string"
              ? fault.body
              : JSON.stringify(fault.body),
          {
            status: fault.status,
            headers: { "content-type": "application/json", ...fault.headers },
          },
        );
      default:
        return this.renderFault(fault, ctx);
    }
  }

  // ---- OAuth helpers -------------------------------------------------------------------

  /** The client's secret, or undefined if the id is unknown. */
  protected secretOf(clientId: string | null | undefined): string | undefined {
    return clientId ? this.clients.get(clientId) : undefined;
  }

  /** Form fields of a POST (urlencoded or multipart), or the query of a GET. */
  protected async params(ctx: RequestContext): Promise<URLSearchParams> {
    if (ctx.request.method === "GET" || ctx.request.method === "DELETE")
      return ctx.url.searchParams;
    const type = ctx.request.headers.get("content-type") ?? "";
    if (type.includes("multipart/form-data")) {
      // eslint-disable-next-line @typescript-eslint/no-deprecated -- small bodies in a test double
      const form = await ctx.request.formData();
      const params = new URLSearchParams();
      form.forEach((value, key) => {
        if (typeof value === "string") params.set(key, value);
      });
      return params;
    }
    const params = new URLSearchParams(await ctx.request.text());
    for (const [key, value] of ctx.url.searchParams) if (!params.has(key)) params.set(key, value);
    return params;
  }

  /** A bearer token from `Authorization: Bearer|OAuth …` or the `access_token` parameter. */
  protected tokenOf(ctx: RequestContext): string | null {
    const header = ctx.request.headers.get("authorization");
    const match = header ? /^(?:Bearer|OAuth)\s+(.+)$/i.exec(header) : null;
    return match?.[1] ?? ctx.url.searchParams.get("access_token");
  }

  /** HTTP Basic client credentials, if sent. */
  protected basicClient(ctx: RequestContext): { id: string; secret: string } | undefined {
    const header = ctx.request.headers.get("authorization");
    if (!header?.startsWith("Basic ")) return undefined;
    const decoded = Buffer.from(header.slice(6), "base64").toString("utf8");
    const split = decoded.indexOf(":");
    if (split === -1) return undefined;
    const unform = (v: string) => decodeURIComponent(v.replace(/\+/g, " "));
    return { id: unform(decoded.slice(0, split)), secret: unform(decoded.slice(split + 1)) };
  }

  /** A grant for an account without the browser dance, for tests that start linked. */
  grant(accountId = this.defaultAccountId(), scopes?: string[]): Grant {
    const [clientId] = this.clients.keys();
    return this.oauth.createGrant(
      accountId,
      clientId ?? "test-client",
      scopes ?? this.defaultScopes(),
    );
  }

  /** The scopes a test grant gets by default (everything the client asks for). */
  protected abstract defaultScopes(): string[];

  /**
   * The consent screen, answered at once: checks the client and the redirect URI, then
   * redirects back with a code and the state (or the provider's cancel parameters).
   */
  protected authorize(
    ctx: RequestContext,
    spec: AuthorizeSpec,
    scopeSeparator = /[\s,]+/,
  ): Response {
    const q = ctx.url.searchParams;
    const clientId = q.get("client_id");
    const redirectUri = q.get("redirect_uri");
    if (!this.secretOf(clientId)) return text("Invalid client_id: the app is not registered.", 400);
    if (!redirectUri || !/^https?:\/\//.test(redirectUri))
      return text("Invalid redirect_uri.", 400);
    if (q.get("response_type") !== "code") return text("response_type must be code.", 400);
    const challenge = q.get("code_challenge") ?? undefined;
    const method = q.get("code_challenge_method") ?? undefined;
    if (spec.requirePkce && (!challenge || !method))
      return text("code_challenge is required.", 400);
    const back = new URL(redirectUri);
    const state = q.get("state");
    if (this.consent.deny) {
      for (const [key, value] of Object.entries(spec.denied ?? { error: "access_denied" })) {
        back.searchParams.set(key, value);
      }
      if (state !== null) back.searchParams.set("state", state);
      return new Response(null, { status: 302, headers: { location: back.toString() } });
    }
    const requested = (q.get("scope") ?? "").split(scopeSeparator).filter(Boolean);
    const scopes = requested.filter((scope) => !this.consent.decline.includes(scope));
    const grant = this.oauth.createGrant(
      this.consent.accountId ?? this.defaultAccountId(),
      clientId ?? "",
      scopes,
    );
    const code = this.oauth.issueCode(grant, {
      redirectUri,
      challenge,
      method,
      ttlMs: spec.codeTtlMs,
    });
    back.searchParams.set("code", code);
    if (state !== null) back.searchParams.set("state", state);
    return new Response(null, {
      status: 302,
      headers: { location: `${back.toString()}${spec.fragment ?? ""}` },
    });
  }

  // ---- CDN ---------------------------------------------------------------------------

  /** A signed URL for an asset that stops working after `ttlMs` or `expireMediaUrls()`. */
  protected signedUrl(ctx: RequestContext, key: string, ttlMs = 3600_000): string {
    const serial = ++this.urlSerial;
    const expires = Math.floor((this.clock.now() + ttlMs) / 1000).toString(16);
    const sig = createHmac("sha256", SIGNING_KEY)
      .update(`${key}:${expires}:${serial}`)
      .digest("hex")
      .slice(0, 16);
    return `${ctx.base}/cdn/${encodeURIComponent(key)}?oe=${expires}&_nc=${serial}&sig=${sig}`;
  }

  /** Every CDN URL handed out so far now answers 403, until the API is asked for a fresh one. */
  expireMediaUrls(): void {
    this.expiredThrough = this.urlSerial;
  }

  /** The next downloads of this asset promise more bytes than they deliver. */
  corruptDownload(key: string): void {
    this.corruptAssets.add(key);
  }

  private serveAsset(ctx: RequestContext): Response {
    const key = ctx.params[0] ?? "";
    const q = ctx.url.searchParams;
    const expires = parseInt(q.get("oe") ?? "", 16);
    const serial = Number(q.get("_nc"));
    const sig = createHmac("sha256", SIGNING_KEY)
      .update(`${key}:${q.get("oe") ?? ""}:${serial}`)
      .digest("hex")
      .slice(0, 16);
    if (sig !== q.get("sig")) return text("Bad URL signature", 403);
    if (serial <= this.expiredThrough || expires * 1000 <= this.clock.now())
      return text("URL signature expired", 403);
    const file = this.asset(key);
    if (!file) return text("Not found", 404);
    const headers: Record<string, string> = { "content-type": file.contentType };
    // A lying Content-Length: the client must notice the short body.
    headers["content-length"] = String(
      this.corruptAssets.has(key) ? file.bytes.length + 17 : file.bytes.length,
    );
    return new Response(new Uint8Array(file.bytes), { status: 200, headers });
  }
}

/** Offsets as opaque cursors, in each emulator's paging. */
export const offsetCursor = {
  encode: (offset: number) => Buffer.from(`offset:${offset}`).toString("base64url"),
  decode: (cursor: string | null): number => {
    if (!cursor) return 0;
    const match = /^offset:(\d+)$/.exec(Buffer.from(cursor, "base64url").toString("utf8"));
    return match ? Number(match[1]) : -1;
  },
};
