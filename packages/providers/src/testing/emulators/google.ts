import { randomBytes } from "node:crypto";

import type { FaultResponse } from "../faults";
import { fakeFile, type FakeFileKind } from "../fake-bytes";
import {
  Answer,
  BaseEmulator,
  json,
  offsetCursor,
  type EmulatorOptions,
  type RequestContext,
  type Route,
} from "../emulator";
import type { AccessRecord, Grant } from "../oauth-store";

export interface GmailAttachment {
  partId: string;
  filename: string;
  kind: FakeFileKind;
  /** Small parts carry their bytes in `body.data` instead of an attachment id. */
  inlineData?: boolean;
  /** An inline image (Content-ID, disposition inline): a signature, not an attachment. */
  embedded?: boolean;
}

export interface GmailMessage {
  id: string;
  subject: string;
  internalDate: number;
  attachments: GmailAttachment[];
  /** Attachments sit one level deeper (multipart/mixed > multipart/related). */
  nested?: boolean;
}

export interface GoogleAccount {
  sub: string;
  email: string;
  name: string;
  messages: GmailMessage[];
}

export interface GoogleEmulatorOptions extends EmulatorOptions {
  /** An app in "Testing": refresh tokens live 7 days and the responses say so. */
  testingMode?: boolean;
  /** Unverified: attachment ids change on every fetch of the message, old ones stop working. */
  rotateAttachmentIds?: boolean;
}

const ACCESS_TTL = 3599_000;
const TESTING_REFRESH_TTL = 604_799_000;
const GMAIL_READONLY = "https://www.googleapis.com/auth/gmail.readonly";
const FULL_SCOPE: Record<string, string> = {
  email: "https://www.googleapis.com/auth/userinfo.email",
  profile: "https://www.googleapis.com/auth/userinfo.profile",
};

function apiError(
  status: number,
  message: string,
  reason: string,
  statusText: string,
  domain = "global",
): Response {
  return json(
    { error: { code: status, message, errors: [{ message, domain, reason }], status: statusText } },
    status,
  );
}

/**
 * Google OAuth (consent with offline access and PKCE, the token endpoint without rotation,
 * revoke, OIDC userinfo) and the Gmail API: message ids with nextPageToken, full messages
 * with nested parts, and attachments as base64url JSON.
 */
export class GoogleEmulator extends BaseEmulator {
  readonly accounts = new Map<string, GoogleAccount>();
  readonly options: GoogleEmulatorOptions;
  private readonly offline = new Map<string, boolean>();
  private readonly consented = new Set<string>();
  /** Current attachment id per `<message id>:<part id>`. */
  private readonly attachmentIds = new Map<string, string>();

  constructor(options: GoogleEmulatorOptions = {}) {
    super("google", options, { code: "4/0AX", access: "ya29.a0", refresh: "1//0g" });
    this.options = options;
    this.accounts.set("108123456789012345678", {
      sub: "108123456789012345678",
      email: "ada@example.com",
      name: "Ada Example",
      messages: [],
    });
    this.seedMessages("108123456789012345678", options.media ?? 20);
  }

  /**
   * The first message is "Photos" with two attachments (an image and a PDF); the rest mix
   * nested parts, small inline-data parts, signature images, and mail with no attachment.
   */
  seedMessages(sub: string, count: number): void {
    const account = this.accounts.get(sub);
    if (!account) throw new Error(`no account ${sub}`);
    for (let i = 0; i < count; i++) {
      const n = account.messages.length;
      const id = (0x18f2a1b3c4d5e6f7n + BigInt(n)).toString(16);
      const internalDate = Date.UTC(2024, 5, 1, 12, 42, 5) - n * 3600_000;
      let attachments: GmailAttachment[];
      if (n === 0) {
        attachments = [
          { partId: "1", filename: "beach.png", kind: "image" },
          { partId: "2", filename: "notes.pdf", kind: "document" },
        ];
      } else if (n % 6 === 5) {
        attachments = [];
      } else if (n % 4 === 0) {
        attachments = [
          { partId: "1", filename: "logo.png", kind: "image", embedded: true },
          { partId: "2", filename: `report-${n}.pdf`, kind: "document" },
        ];
      } else if (n % 5 === 2) {
        attachments = [{ partId: "1", filename: `tiny-${n}.png`, kind: "image", inlineData: true }];
      } else {
        attachments = [
          { partId: "1", filename: `photo-${n}.png`, kind: n % 7 === 3 ? "video" : "image" },
        ];
      }
      account.messages.push({
        id,
        subject: n === 0 ? "Photos" : `Message ${n}`,
        internalDate,
        attachments,
        nested: n % 3 === 1,
      });
    }
  }

  protected defaultAccountId(): string {
    return this.accounts.keys().next().value ?? "";
  }

  protected defaultScopes(): string[] {
    return ["openid", FULL_SCOPE.email ?? "", GMAIL_READONLY];
  }

  /** Tokens as the token endpoint would issue them, without the browser dance. */
  issueTokens(sub = this.defaultAccountId(), scopes = this.defaultScopes()) {
    const grant = this.grant(sub, scopes);
    return {
      access: this.oauth.issueAccess(grant, ACCESS_TTL),
      refresh: this.oauth.issueRefresh(
        grant,
        this.options.testingMode ? TESTING_REFRESH_TTL : null,
      ),
    };
  }

  protected routes(): Route[] {
    const msg = String.raw`/gmail/v1/users/me/messages`;
    return [
      ["GET", /^\/o\/oauth2\/v2\/auth$/, (ctx) => this.consentScreen(ctx)],
      ["POST", /^\/token$/, (ctx) => this.token(ctx)],
      ["POST", /^\/revoke$/, (ctx) => this.revoke(ctx)],
      ["GET", /^\/v1\/userinfo$/, (ctx) => this.userinfo(ctx)],
      ["GET", /^\/gmail\/v1\/users\/me\/profile$/, (ctx) => this.mailboxProfile(ctx)],
      ["GET", new RegExp(`^${msg}$`), (ctx) => this.list(ctx)],
      ["GET", new RegExp(`^${msg}/([^/]+)$`), (ctx) => this.message(ctx)],
      ["GET", new RegExp(`^${msg}/([^/]+)/attachments/([^/]+)$`), (ctx) => this.attachment(ctx)],
    ];
  }

  private consentScreen(ctx: RequestContext): Response {
    const q = ctx.url.searchParams;
    const response = this.authorize(ctx, { codeTtlMs: 10 * 60_000 }, / +/);
    const location = response.headers.get("location");
    const code = location ? new URL(location).searchParams.get("code") : null;
    if (code) {
      // A refresh token comes with offline access, and only on (forced) consent.
      const key = `${this.consent.accountId ?? this.defaultAccountId()}:${q.get("client_id") ?? ""}`;
      const prompted = (q.get("prompt") ?? "").split(" ").includes("consent");
      this.offline.set(
        code,
        q.get("access_type") === "offline" && (prompted || !this.consented.has(key)),
      );
      this.consented.add(key);
    }
    return response;
  }

  private issue(grant: Grant, withRefresh: boolean): Response {
    const access = this.oauth.issueAccess(grant, ACCESS_TTL);
    const refresh = withRefresh
      ? this.oauth.issueRefresh(grant, this.options.testingMode ? TESTING_REFRESH_TTL : null)
      : undefined;
    return json({
      access_token: access.token,
      expires_in: ACCESS_TTL / 1000,
      ...(refresh ? { refresh_token: refresh.token } : {}),
      ...(refresh && this.options.testingMode
        ? { refresh_token_expires_in: TESTING_REFRESH_TTL / 1000 }
        : {}),
      scope: grant.scopes.join(" "),
      token_type: "Bearer",
      ...(grant.scopes.includes("openid") ? { id_token: "eyJhbGciOiJSUzI1NiJ9.e30.sig" } : {}),
    });
  }

  private async token(ctx: RequestContext): Promise<Response> {
    const form = await this.params(ctx);
    const clientId = form.get("client_id");
    if (!this.secretOf(clientId))
      return json(
        { error: "invalid_client", error_description: "The OAuth client was not found." },
        401,
      );
    if (this.secretOf(clientId) !== form.get("client_secret")) {
      return json({ error: "invalid_client", error_description: "Unauthorized" }, 401);
    }
    if (form.get("grant_type") === "authorization_code") {
      const code = form.get("code") ?? "";
      const redeemed = this.oauth.redeemCode(code, {
        clientId: clientId ?? "",
        redirectUri: form.get("redirect_uri") ?? "",
        verifier: form.get("code_verifier") ?? undefined,
      });
      if (!redeemed.ok)
        return json({ error: "invalid_grant", error_description: "Bad Request" }, 400);
      // Google answers with full scope URIs for the short names.
      redeemed.grant.scopes = redeemed.grant.scopes.map((s) => FULL_SCOPE[s] ?? s);
      return this.issue(redeemed.grant, this.offline.get(code) ?? false);
    }
    if (form.get("grant_type") === "refresh_token") {
      const used = this.oauth.useRefresh(form.get("refresh_token") ?? "", false);
      if (!used.ok)
        return json(
          { error: "invalid_grant", error_description: "Token has been expired or revoked." },
          400,
        );
      const access = this.oauth.issueAccess(used.record.grant, ACCESS_TTL);
      const remaining =
        used.record.expiresAt === null
          ? undefined
          : Math.floor((used.record.expiresAt - this.clock.now()) / 1000);
      return json({
        access_token: access.token,
        expires_in: ACCESS_TTL / 1000,
        scope: used.record.grant.scopes.join(" "),
        token_type: "Bearer",
        ...(remaining !== undefined ? { refresh_token_expires_in: remaining } : {}),
      });
    }
    return json({ error: "unsupported_grant_type", error_description: "Invalid grant_type" }, 400);
  }

  private async revoke(ctx: RequestContext): Promise<Response> {
    const form = await this.params(ctx);
    const token = form.get("token") ?? "";
    const record = this.oauth.access.get(token) ?? this.oauth.refresh.get(token);
    if (!record || record.grant.revoked) {
      return json({ error: "invalid_token", error_description: "Token expired or revoked" }, 400);
    }
    // Either token ends the whole grant.
    this.oauth.revokeGrant(record.grant);
    return new Response(null, { status: 200 });
  }

  private authed(
    ctx: RequestContext,
    needsGmail: boolean,
  ): { record: AccessRecord; account: GoogleAccount } {
    const check = this.oauth.checkAccess(this.tokenOf(ctx));
    if (!check.ok) {
      throw new Answer(
        apiError(
          401,
          "Request had invalid authentication credentials.",
          "authError",
          "UNAUTHENTICATED",
        ),
      );
    }
    if (needsGmail && !check.record.grant.scopes.includes(GMAIL_READONLY)) {
      throw new Answer(
        apiError(
          403,
          "Request had insufficient authentication scopes.",
          "insufficientPermissions",
          "PERMISSION_DENIED",
        ),
      );
    }
    const account = this.accounts.get(check.record.grant.accountId);
    if (!account)
      throw new Answer(apiError(401, "Invalid Credentials", "authError", "UNAUTHENTICATED"));
    return { record: check.record, account };
  }

  private userinfo(ctx: RequestContext): Response {
    const { account } = this.authed(ctx, false);
    return json({
      sub: account.sub,
      email: account.email,
      email_verified: true,
      name: account.name,
      picture: "https://lh3.googleusercontent.com/a/x",
    });
  }

  private mailboxProfile(ctx: RequestContext): Response {
    const { account } = this.authed(ctx, true);
    return json({
      emailAddress: account.email,
      messagesTotal: account.messages.length,
      threadsTotal: account.messages.length,
      historyId: "9876543",
    });
  }

  private list(ctx: RequestContext): Response {
    const { account } = this.authed(ctx, true);
    const q = ctx.url.searchParams;
    const max = Math.min(500, Math.max(1, Number(q.get("maxResults") ?? 100)));
    const offset = offsetCursor.decode(q.get("pageToken"));
    if (offset < 0)
      return apiError(400, "Invalid pageToken", "invalidArgument", "INVALID_ARGUMENT");
    const matching = (q.get("q") ?? "").includes("has:attachment")
      ? account.messages.filter((m) => m.attachments.length > 0)
      : account.messages;
    const slice = matching.slice(offset, offset + max);
    return json({
      ...(slice.length ? { messages: slice.map((m) => ({ id: m.id, threadId: m.id })) } : {}),
      ...(offset + max < matching.length
        ? { nextPageToken: offsetCursor.encode(offset + max) }
        : {}),
      resultSizeEstimate: matching.length,
    });
  }

  private file(message: GmailMessage, part: GmailAttachment) {
    return fakeFile(part.kind, `${message.id}:${part.partId}`);
  }

  private attachmentId(message: GmailMessage, part: GmailAttachment, fresh: boolean): string {
    const key = `${message.id}:${part.partId}`;
    let id = this.attachmentIds.get(key);
    if (!id || (fresh && this.options.rotateAttachmentIds)) {
      id = `ANGjdJ${randomBytes(12).toString("base64url")}`;
      this.attachmentIds.set(key, id);
    }
    return id;
  }

  private find(account: GoogleAccount, id: string): GmailMessage {
    const message = account.messages.find((m) => m.id === id);
    if (!message)
      throw new Answer(apiError(404, "Requested entity was not found.", "notFound", "NOT_FOUND"));
    return message;
  }

  private message(ctx: RequestContext): Response {
    const { account } = this.authed(ctx, true);
    const message = this.find(account, ctx.params[0] ?? "");
    const partJson = (part: GmailAttachment, partId: string) => {
      const file = this.file(message, part);
      const headers = part.embedded
        ? [
            { name: "Content-Type", value: file.contentType },
            { name: "Content-Disposition", value: `inline; filename="${part.filename}"` },
            { name: "Content-ID", value: `<${part.filename}@mail>` },
          ]
        : [{ name: "Content-Disposition", value: `attachment; filename="${part.filename}"` }];
      return {
        partId,
        mimeType: file.contentType,
        filename: part.filename,
        headers,
        body: part.inlineData
          ? { size: file.bytes.length, data: file.bytes.toString("base64url") }
          : { attachmentId: this.attachmentId(message, part, true), size: file.bytes.length },
      };
    };
    const text = {
      partId: "0",
      mimeType: "text/plain",
      filename: "",
      body: { size: 12, data: Buffer.from("See attached").toString("base64url") },
    };
    const parts = message.nested
      ? [
          text,
          {
            partId: "1",
            mimeType: "multipart/related",
            filename: "",
            body: { size: 0 },
            parts: message.attachments.map((a) => partJson(a, `1.${a.partId}`)),
          },
        ]
      : [text, ...message.attachments.map((a) => partJson(a, a.partId))];
    return json({
      id: message.id,
      threadId: message.id,
      labelIds: ["INBOX"],
      snippet: "See attached",
      historyId: "9876001",
      internalDate: String(message.internalDate),
      sizeEstimate: 2048,
      payload: {
        partId: "",
        mimeType: "multipart/mixed",
        filename: "",
        headers: [
          { name: "Subject", value: message.subject },
          { name: "Date", value: new Date(message.internalDate).toUTCString() },
        ],
        body: { size: 0 },
        parts,
      },
    });
  }

  private attachment(ctx: RequestContext): Response {
    const { account } = this.authed(ctx, true);
    const message = this.find(account, ctx.params[0] ?? "");
    const attachmentId = ctx.params[1] ?? "";
    const part = message.attachments.find(
      (a) => this.attachmentIds.get(`${message.id}:${a.partId}`) === attachmentId,
    );
    if (!part)
      return apiError(400, "Invalid attachment token", "invalidArgument", "INVALID_ARGUMENT");
    const file = this.file(message, part);
    const jsonPartId = message.nested ? `1.${part.partId}` : part.partId;
    // Keyed like the client's item ids: `<message id>:<part id>`.
    const corrupt = this.corruptAssets.has(`${message.id}:${jsonPartId}`);
    return json({
      attachmentId,
      size: file.bytes.length,
      // A corrupt download: the data decodes to fewer bytes than `size` says.
      data: (corrupt ? file.bytes.subarray(0, file.bytes.length - 5) : file.bytes).toString(
        "base64url",
      ),
    });
  }

  protected asset(): undefined {
    return undefined;
  }

  protected renderFault(fault: FaultResponse, ctx: RequestContext): Response {
    if (ctx.path === "/token" || ctx.path === "/revoke") {
      return json(
        { error: "internal_failure", error_description: "Backend Error" },
        fault.type === "server_error" ? (fault.status ?? 500) : 503,
      );
    }
    if (fault.type === "rate_limit") {
      const response = apiError(
        429,
        "Too many concurrent requests for user.",
        "rateLimitExceeded",
        "RESOURCE_EXHAUSTED",
        "usageLimits",
      );
      if (fault.retryAfterSeconds !== undefined)
        response.headers.set("retry-after", String(fault.retryAfterSeconds));
      return response;
    }
    return apiError(
      fault.type === "server_error" ? (fault.status ?? 500) : 500,
      "Backend Error",
      "backendError",
      "INTERNAL",
    );
  }
}
