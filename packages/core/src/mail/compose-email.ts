import type { Db } from "@lifeline/db";
import type { EmailJob } from "@lifeline/queue";

import { PROVIDER_NAMES } from "../accounts/provider-availability";
import { issueEmailToken, type EmailTokenPurpose } from "../auth/email-tokens";
import type { OutgoingEmail } from "./mailer";
import { failedSignInsTemplate } from "./templates/failed-sign-ins";
import type { RenderedEmail } from "./templates/layout";
import { backupFailedTemplate } from "./templates/backup-failed";
import { passwordResetTemplate } from "./templates/password-reset";
import { providerExpiringTemplate } from "./templates/provider-expiring";
import { reconnectProviderTemplate } from "./templates/reconnect-provider";
import { registrationAttemptTemplate } from "./templates/registration-attempt";
import { verifyEmailTemplate } from "./templates/verify-email";

export interface ComposeEmailDeps {
  db: Db;
  /** TOKEN_SECRET: links are derived from it and the job id (see email-tokens.ts). */
  tokenSecret: Buffer;
  now: () => Date;
  config: {
    /** FRONTEND_URL: links point at its /verify-email and /reset-password pages. */
    frontendUrl: string;
    verificationTtlSeconds: number;
    passwordResetTtlSeconds: number;
    /** ALERT_EMAIL: where backup failures go (unset: they are only logged). */
    alertEmail?: string | undefined;
  };
}

/** Why a job sends nothing: `skip` succeeds; `refuse` must fail the job for good (retrying cannot help). */
export type NothingToSend =
  | {
      kind: "skip";
      reason:
        | "no_such_user"
        | "already_verified"
        | "link_already_used"
        | "nothing_to_reconnect"
        | "no_alert_address";
    }
  | { kind: "refuse"; reason: "link_expired" | "job_id_conflict" };

export type ComposedEmail = { kind: "send"; email: OutgoingEmail } | NothingToSend;

/** `${FRONTEND_URL}/<page>?token=…`, whether or not FRONTEND_URL ends with a slash. */
export function frontendLink(frontendUrl: string, page: string, token?: string): string {
  const url = new URL(`${frontendUrl.replace(/\/+$/, "")}/${page}`);
  if (token !== undefined) url.searchParams.set("token", token);
  return url.toString();
}

const send = (to: string, rendered: RenderedEmail): ComposedEmail => ({
  kind: "send",
  email: { to, ...rendered },
});

/**
 * What one email job sends, read from the database now (the payload holds ids, never an
 * address to trust or a token): the recipient, the message, and for links a token minted
 * for this job. A user who no longer exists, or has nothing left to do, gets nothing.
 */
export async function composeEmail(
  deps: ComposeEmailDeps,
  job: EmailJob,
  jobId: string,
): Promise<ComposedEmail> {
  const { db, config } = deps;
  if (job.template === "backup-failed") return composeBackupAlert(deps, job);
  const user = await db.user.findUnique({
    where: job.template === "password-reset" ? { email: job.email } : { id: job.userId },
    select: { id: true, email: true, emailVerifiedAt: true },
  });
  if (!user) return { kind: "skip", reason: "no_such_user" };

  const link = async (purpose: EmailTokenPurpose, ttlSeconds: number, page: string) => {
    const issued = await issueEmailToken(db, {
      secret: deps.tokenSecret,
      jobId,
      userId: user.id,
      purpose,
      ttlSeconds,
      now: deps.now(),
    });
    switch (issued.kind) {
      case "issued":
        return { ok: true as const, url: frontendLink(config.frontendUrl, page, issued.token) };
      case "used":
        return { ok: false as const, result: skip("link_already_used") };
      case "expired":
        return { ok: false as const, result: refuse("link_expired") };
      case "conflict":
        return { ok: false as const, result: refuse("job_id_conflict") };
    }
  };

  switch (job.template) {
    case "verify-email": {
      if (user.emailVerifiedAt) return skip("already_verified");
      const ttlSeconds = config.verificationTtlSeconds;
      const made = await link("verify_email", ttlSeconds, "verify-email");
      if (!made.ok) return made.result;
      return send(user.email, verifyEmailTemplate({ link: made.url, ttlSeconds }));
    }
    case "password-reset": {
      const ttlSeconds = config.passwordResetTtlSeconds;
      const made = await link("reset_password", ttlSeconds, "reset-password");
      if (!made.ok) return made.result;
      return send(user.email, passwordResetTemplate({ link: made.url, ttlSeconds }));
    }
    case "registration-attempt":
      return send(user.email, registrationAttemptTemplate());
    case "failed-sign-ins":
      return send(user.email, failedSignInsTemplate());
    case "reconnect-provider": {
      const account = await linkedAccountOf(db, job.userId, job.linkedAccountId);
      // Linked again (or unlinked) before the email went: nothing to reconnect.
      if (account && account.status !== "needs_reauth") return skip("nothing_to_reconnect");
      return send(
        user.email,
        reconnectProviderTemplate({
          provider: account ? PROVIDER_NAMES[account.provider] : null,
          handle: account?.handle ?? null,
          link: frontendLink(config.frontendUrl, ""),
        }),
      );
    }
    case "provider-expiring": {
      const account = await linkedAccountOf(db, job.userId, job.linkedAccountId);
      if (account?.status !== "active" || !account.expiresAt) return skip("nothing_to_reconnect");
      return send(
        user.email,
        providerExpiringTemplate({
          provider: PROVIDER_NAMES[account.provider],
          handle: account.handle,
          expiresAt: account.expiresAt,
          link: frontendLink(config.frontendUrl, ""),
        }),
      );
    }
  }
}

/** The user's linked account the email is about (never another user's). */
function linkedAccountOf(db: Db, userId: string, id: string) {
  return db.linkedAccount.findFirst({
    where: { id, userId },
    select: { provider: true, handle: true, status: true, expiresAt: true },
  });
}

const skip = (reason: Extract<NothingToSend, { kind: "skip" }>["reason"]): NothingToSend => ({
  kind: "skip",
  reason,
});

const refuse = (reason: Extract<NothingToSend, { kind: "refuse" }>["reason"]): NothingToSend => ({
  kind: "refuse",
  reason,
});

/** A backup failure, to the operator's address, with the error its record keeps. */
async function composeBackupAlert(
  deps: ComposeEmailDeps,
  job: Extract<EmailJob, { template: "backup-failed" }>,
): Promise<ComposedEmail> {
  const to = deps.config.alertEmail;
  if (!to) return skip("no_alert_address");
  const record = job.backupId
    ? await deps.db.backupRecord.findUnique({
        where: { id: job.backupId },
        select: { id: true, kind: true, startedAt: true, error: true, details: true },
      })
    : null;
  return send(to, backupFailedTemplate({ stage: job.stage, record }));
}
