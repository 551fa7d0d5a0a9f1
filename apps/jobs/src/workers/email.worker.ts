import {
  composeEmail,
  createMailer,
  MailRejectedError,
  type ComposeEmailDeps,
  type Mailer,
} from "@lifeline/core";
import { resolveFromRepoRoot, type JobsEnv } from "@lifeline/env";
import type { Logger } from "@lifeline/logger";
import { sendEmailJob } from "@lifeline/queue";
import { UnrecoverableError } from "bullmq";

import { handle, type JobsDeps } from "../handler";
import type { QueueWorkerSpec } from "../run-workers";

function mailerFor(env: JobsEnv, logger: Logger): Mailer {
  return createMailer({
    smtpUrl: env.SMTP_URL,
    from: env.MAIL_FROM,
    mailDir: resolveFromRepoRoot(env.MAIL_DIR),
    logger,
  });
}

function composeDeps(deps: JobsDeps): ComposeEmailDeps {
  return {
    db: deps.db,
    tokenSecret: deps.tokenSecret,
    now: deps.now,
    config: {
      frontendUrl: deps.env.FRONTEND_URL,
      verificationTtlSeconds: deps.env.EMAIL_VERIFICATION_TTL,
      passwordResetTtlSeconds: deps.env.PASSWORD_RESET_TTL,
      alertEmail: deps.env.ALERT_EMAIL,
    },
  };
}

/**
 * The email queue: renders each message from the ids in its job (minting the link's token
 * for that job, see composeEmail) and sends it. An SMTP failure throws, and BullMQ retries
 * with the job's exponential backoff; what can never succeed throws UnrecoverableError and
 * goes straight to the failed set. Neither the token nor the link is logged or returned.
 */
export function emailWorker(concurrency: number): QueueWorkerSpec {
  // One mailer per process (it holds no connection: one per message), made on first use.
  let mailer: Mailer | undefined;
  return {
    queue: "email",
    concurrency,
    handlers: [
      handle(sendEmailJob, async (payload, { deps, job, logger }) => {
        if (!job.id)
          throw new UnrecoverableError("An email job needs an id: its link derives from it");
        const composed = await composeEmail(composeDeps(deps), payload, job.id);
        if (composed.kind === "skip") {
          logger.info({ template: payload.template, reason: composed.reason }, "nothing to send");
          return { sent: false, reason: composed.reason };
        }
        if (composed.kind === "refuse") {
          throw new UnrecoverableError(`Not sent: ${composed.reason}`);
        }
        mailer ??= mailerFor(deps.env, deps.logger);
        try {
          const sent = await mailer.send(composed.email);
          logger.info({ template: payload.template, messageId: sent.messageId }, "email sent");
          return { sent: true, messageId: sent.messageId };
        } catch (error) {
          if (error instanceof MailRejectedError) throw new UnrecoverableError(error.message);
          throw error;
        }
      }),
    ],
  };
}
