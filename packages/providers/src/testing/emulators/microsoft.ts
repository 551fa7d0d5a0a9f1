import type { FaultResponse } from "../faults";
import { fakeFile, type FakeFileKind } from "../fake-bytes";
import {
  Answer,
  BaseEmulator,
  json,
  type EmulatorOptions,
  type RequestContext,
  type Route,
} from "../emulator";
import type { AccessRecord, Grant } from "../oauth-store";

export interface OutlookAttachment {
  id: string;
  name: string;
  type: "file" | "item" | "reference";
  kind: FakeFileKind;
  isInline?: boolean;
}

export interface OutlookMessage {
  id: string;
  subject: string;
  receivedDateTime: Date;
  attachments: OutlookAttachment[];
}

export interface MicrosoftAccount {
  id: string;
  displayName: string;
  /** Null for many personal accounts. */
  mail: string | null;
  userPrincipalName: string;
  messages: OutlookMessage[];
}

export interface MicrosoftEmulatorOptions extends EmulatorOptions {
  /** Answer scopes as full URIs (`https://graph.microsoft.com/Mail.Read`). */
  fullScopeUris?: boolean;
}

const ACCESS_TTL = 4620_000;
const REFRESH_TTL = 90 * 24 * 3600_000;
const TENANT = String.raw`/(?:common|consumers|organizations|[0-9a-fA-F-]{36})`;

function aadError(status: number, error: string, code: number, text: string): Response {
  const now = new Date().toISOString().replace("T", " ").slice(0, 19);
  return json(
    {
      error,
      error_description: `AADSTS${code}: ${text}\r\nTrace ID: 0000aaaa-0000-0000-0000-000000000000\r\nCorrelation ID: aaaa0000-0000-0000-0000-000000000000\r\nTimestamp: ${now}Z`,
      error_codes: [code],
      timestamp: `${now}Z`,
      trace_id: "0000aaaa-0000-0000-0000-000000000000",
      correlation_id: "aaaa0000-0000-0000-0000-000000000000",
      error_uri: `https://login.microsoftonline.com/error?code=${code}`,
    },
    status,
  );
}

function graphError(
  status: number,
  code: string,
  message: string,
  headers: Record<string, string> = {},
): Response {
  return json(
    {
      error: {
        code,
        message,
        innerError: {
          date: new Date().toISOString(),
          "request-id": "r-1",
          "client-request-id": "c-1",
        },
      },
    },
    status,
    headers,
  );
}

/**
 * The Microsoft identity platform v2.0 (tenant-scoped authorize and token endpoints, PKCE,
 * rotating refresh tokens whose predecessors keep working) and Microsoft Graph mail:
 * messages with @odata.nextLink paging, attachments of every type, and `$value` bytes.
 */
export class MicrosoftEmulator extends BaseEmulator {
  readonly accounts = new Map<string, MicrosoftAccount>();
  readonly options: MicrosoftEmulatorOptions;

  constructor(options: MicrosoftEmulatorOptions = {}) {
    super("microsoft", options, { code: "0.AXkA", access: "eyJ0eXAiOiJKV1Qi", refresh: "1.AXkA" });
    this.options = options;
    this.accounts.set("87d349ed-44d7-43e1-9a83-5f2406dee5bd", {
      id: "87d349ed-44d7-43e1-9a83-5f2406dee5bd",
      displayName: "Ada Example",
      mail: null,
      userPrincipalName: "ada@outlook.example",
      messages: [],
    });
    this.seedMessages("87d349ed-44d7-43e1-9a83-5f2406dee5bd", options.media ?? 20);
  }

  /** Two files; an inline image and a file; an attached email; a cloud link only; a video. */
  seedMessages(accountId: string, count: number): void {
    const account = this.accounts.get(accountId);
    if (!account) throw new Error(`no account ${accountId}`);
    for (let i = 0; i < count; i++) {
      const n = account.messages.length;
      const id = `AAMkAGI2TG93${String(n).padStart(6, "0")}AAA=`;
      const att = (
        k: number,
        name: string,
        type: OutlookAttachment["type"],
        kind: FakeFileKind,
        isInline = false,
      ) => ({
        id: `AAMkAGI2ATT${String(n).padStart(6, "0")}${k}=`,
        name,
        type,
        kind,
        isInline,
      });
      const attachments: OutlookAttachment[] =
        [
          [att(1, `photo-${n}.png`, "file", "image"), att(2, `doc-${n}.pdf`, "file", "document")],
          [
            att(1, "signature.png", "file", "image", true),
            att(2, `scan-${n}.pdf`, "file", "document"),
          ],
          [att(1, `Fwd message ${n}`, "item", "document")],
          [att(1, `Shared folder ${n}`, "reference", "document")],
          [att(1, `clip-${n}.mp4`, "file", "video")],
        ][n % 5] ?? [];
      account.messages.push({
        id,
        subject: `Message ${n}`,
        receivedDateTime: new Date(Date.UTC(2025, 5, 1, 12, 42, 5) - n * 3600_000),
        attachments,
      });
    }
  }

  protected defaultAccountId(): string {
    return this.accounts.keys().next().value ?? "";
  }

  protected defaultScopes(): string[] {
    return ["openid", "profile", "email", "offline_access", "User.Read", "Mail.Read"];
  }

  protected routes(): Route[] {
    return [
      [
        "GET",
        new RegExp(`^${TENANT}/oauth2/v2\\.0/authorize$`),
        (ctx) =>
          this.authorize(
            ctx,
            {
              codeTtlMs: 10 * 60_000,
              denied: {
                error: "access_denied",
                error_description: "AADSTS65004: User declined to consent to access the app.",
              },
            },
            / +/,
          ),
      ],
      ["POST", new RegExp(`^${TENANT}/oauth2/v2\\.0/token$`), (ctx) => this.token(ctx)],
      ["GET", /^\/v1\.0\/me$/, (ctx) => this.me(ctx)],
      ["GET", /^\/v1\.0\/me\/messages$/, (ctx) => this.messages(ctx)],
      ["GET", /^\/v1\.0\/me\/messages\/([^/]+)\/attachments$/, (ctx) => this.attachments(ctx)],
      [
        "GET",
        /^\/v1\.0\/me\/messages\/([^/]+)\/attachments\/([^/]+)\/\$value$/,
        (ctx) => this.value(ctx),
      ],
    ];
  }

  private scopeString(grant: Grant): string {
    // Microsoft leaves offline_access out of the answer and may spell Graph scopes in full.
    return grant.scopes
      .filter((s) => s !== "offline_access")
      .map((s) =>
        this.options.fullScopeUris && /^[A-Z]/.test(s) ? `https://graph.microsoft.com/${s}` : s,
      )
      .join(" ");
  }

  private issue(grant: Grant): Response {
    const access = this.oauth.issueAccess(grant, ACCESS_TTL);
    const refresh = grant.scopes.includes("offline_access")
      ? this.oauth.issueRefresh(grant, REFRESH_TTL)
      : undefined;
    return json({
      token_type: "Bearer",
      scope: this.scopeString(grant),
      expires_in: ACCESS_TTL / 1000,
      ext_expires_in: ACCESS_TTL / 1000,
      access_token: access.token,
      ...(refresh ? { refresh_token: refresh.token } : {}),
      id_token: "eyJ0eXAiExample",
    });
  }

  private async token(ctx: RequestContext): Promise<Response> {
    const form = await this.params(ctx);
    const clientId = form.get("client_id");
    if (!this.secretOf(clientId)) {
      return aadError(
        400,
        "unauthorized_client",
        700016,
        "Application with identifier was not found in the directory.",
      );
    }
    if (this.secretOf(clientId) !== form.get("client_secret")) {
      return aadError(401, "invalid_client", 7000215, "Invalid client secret provided.");
    }
    if (form.get("grant_type") === "authorization_code") {
      const redeemed = this.oauth.redeemCode(form.get("code") ?? "", {
        clientId: clientId ?? "",
        redirectUri: form.get("redirect_uri") ?? "",
        verifier: form.get("code_verifier") ?? undefined,
      });
      if (!redeemed.ok) {
        return redeemed.reason === "pkce_mismatch"
          ? aadError(
              400,
              "invalid_grant",
              501481,
              "The Code_Verifier does not match the code_challenge supplied in the authorization request.",
            )
          : aadError(
              400,
              "invalid_grant",
              54005,
              "OAuth2 Authorization code was already redeemed, please retry with a new valid code or use an existing refresh token.",
            );
      }
      return this.issue(redeemed.grant);
    }
    if (form.get("grant_type") === "refresh_token") {
      // Rotation, but the old refresh token is not revoked.
      const used = this.oauth.useRefresh(form.get("refresh_token") ?? "", false);
      if (!used.ok) {
        return used.reason === "expired"
          ? aadError(
              400,
              "invalid_grant",
              700082,
              "The refresh token has expired due to inactivity.",
            )
          : aadError(
              400,
              "invalid_grant",
              50173,
              "The provided grant has expired due to it being revoked.",
            );
      }
      return this.issue(used.record.grant);
    }
    return aadError(
      400,
      "unsupported_grant_type",
      70003,
      "The app requested an unsupported grant type.",
    );
  }

  private authed(
    ctx: RequestContext,
    mail: boolean,
  ): { record: AccessRecord; account: MicrosoftAccount } {
    const check = this.oauth.checkAccess(this.tokenOf(ctx));
    if (!check.ok) {
      throw new Answer(
        graphError(
          401,
          "InvalidAuthenticationToken",
          check.reason === "expired"
            ? "Lifetime validation failed, the token is expired."
            : "Access token validation failure.",
        ),
      );
    }
    if (mail && !check.record.grant.scopes.includes("Mail.Read")) {
      throw new Answer(
        graphError(403, "ErrorAccessDenied", "Access is denied. Check credentials and try again."),
      );
    }
    const account = this.accounts.get(check.record.grant.accountId);
    if (!account)
      throw new Answer(
        graphError(401, "InvalidAuthenticationToken", "Access token validation failure."),
      );
    return { record: check.record, account };
  }

  private me(ctx: RequestContext): Response {
    const { account } = this.authed(ctx, false);
    return json({
      "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#users/$entity",
      id: account.id,
      displayName: account.displayName,
      mail: account.mail,
      userPrincipalName: account.userPrincipalName,
    });
  }

  private messages(ctx: RequestContext): Response {
    const { account } = this.authed(ctx, true);
    const q = ctx.url.searchParams;
    const top = Number(q.get("$top") ?? 10);
    if (!Number.isInteger(top) || top < 1 || top > 1000)
      return graphError(400, "ErrorInvalidParameter", "Invalid $top");
    const skip = Number(q.get("$skip") ?? 0);
    const matching = (q.get("$filter") ?? "").includes("hasAttachments eq true")
      ? account.messages.filter((m) => m.attachments.some((a) => !a.isInline))
      : account.messages;
    const slice = matching.slice(skip, skip + top);
    let nextLink: string | undefined;
    if (skip + top < matching.length) {
      const next = new URL(`${ctx.base}/v1.0/me/messages`);
      for (const [key, value] of q) next.searchParams.set(key, value);
      next.searchParams.set("$skip", String(skip + top));
      nextLink = next.toString();
    }
    return json({
      "@odata.context": `https://graph.microsoft.com/v1.0/$metadata#users('${account.id}')/messages`,
      value: slice.map((m) => ({
        "@odata.etag": `W/"CQAAABYAAAA${m.id.slice(-8)}"`,
        id: m.id,
        subject: m.subject,
        receivedDateTime: m.receivedDateTime.toISOString().replace(/\.\d{3}Z$/, "Z"),
        hasAttachments: true,
      })),
      ...(nextLink ? { "@odata.nextLink": nextLink } : {}),
    });
  }

  private find(account: MicrosoftAccount, id: string): OutlookMessage {
    const message = account.messages.find((m) => m.id === id);
    if (!message)
      throw new Answer(
        graphError(404, "ErrorItemNotFound", "The specified object was not found in the store."),
      );
    return message;
  }

  private attachments(ctx: RequestContext): Response {
    const { account } = this.authed(ctx, true);
    const message = this.find(account, ctx.params[0] ?? "");
    return json({
      value: message.attachments.map((a) => {
        const file = fakeFile(a.kind, `${message.id}:${a.id}`);
        return {
          "@odata.type": `#microsoft.graph.${a.type}Attachment`,
          id: a.id,
          name: a.name,
          contentType: a.type === "item" ? null : file.contentType,
          size: file.bytes.length + (a.type === "file" ? 0 : 100),
          isInline: a.isInline ?? false,
          lastModifiedDateTime: message.receivedDateTime.toISOString(),
        };
      }),
    });
  }

  private value(ctx: RequestContext): Response {
    const { account } = this.authed(ctx, true);
    const message = this.find(account, ctx.params[0] ?? "");
    const attachment = message.attachments.find((a) => a.id === ctx.params[1]);
    if (!attachment)
      return graphError(
        404,
        "ErrorItemNotFound",
        "The specified object was not found in the store.",
      );
    if (attachment.type === "reference")
      return graphError(400, "ErrorInvalidRequest", "Reference attachments have no content.");
    const key = `${message.id}:${attachment.id}`;
    const file =
      attachment.type === "item"
        ? {
            bytes: Buffer.from(
              `Subject: ${attachment.name}\r\nContent-Type: text/plain\r\n\r\nForwarded.\r\n`,
            ),
            contentType: "message/rfc822",
          }
        : fakeFile(attachment.kind, key);
    return new Response(new Uint8Array(file.bytes), {
      status: 200,
      headers: {
        "content-type": file.contentType,
        "content-length": String(file.bytes.length + (this.corruptAssets.has(key) ? 11 : 0)),
      },
    });
  }

  protected asset(): undefined {
    return undefined;
  }

  protected renderFault(fault: FaultResponse, ctx: RequestContext): Response {
    if (ctx.path.includes("/oauth2/")) {
      return fault.type === "rate_limit"
        ? aadError(
            429,
            "temporarily_unavailable",
            50196,
            "The server terminated an operation because it encountered a client request loop.",
          )
        : aadError(
            fault.type === "server_error" ? (fault.status ?? 500) : 500,
            "server_error",
            50000,
            "There was an error issuing a token.",
          );
    }
    if (fault.type === "rate_limit") {
      return graphError(
        429,
        "ApplicationThrottled",
        "Application is over its MailboxConcurrency limit.",
        {
          "retry-after": String(fault.retryAfterSeconds ?? 30),
        },
      );
    }
    return graphError(
      fault.type === "server_error" ? (fault.status ?? 503) : 503,
      "ServiceNotAvailable",
      "Service unavailable.",
      {
        "retry-after": "10",
      },
    );
  }
}
