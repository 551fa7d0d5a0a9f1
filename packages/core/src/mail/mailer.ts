import { randomBytes } from "node:crypto";
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";

import type { Logger } from "@lifeline/logger";
import nodemailer from "nodemailer";

import type { RenderedEmail } from "./templates/layout";

export interface OutgoingEmail extends RenderedEmail {
  to: string;
}

export interface SentEmail {
  messageId: string;
  /** Where the message was written, with the file transport. */
  file?: string;
}

export interface Mailer {
  /**
   * Sends one message. Throws MailRejectedError when the server refused it for good (a
   * retry cannot help); any other error is transient (connection, timeout, 4xx reply).
   */
  send(email: OutgoingEmail): Promise<SentEmail>;
}

export interface MailerOptions {
  /** smtp:// or smtps://; unset: each message is written to `mailDir` as an .eml file. */
  smtpUrl?: string | undefined;
  from: string;
  /** Absolute (resolve MAIL_DIR from the repository root first). */
  mailDir: string;
  logger: Logger;
}

/** The SMTP server refused the message with a permanent (5xx) reply: retrying cannot help. */
export class MailRejectedError extends Error {
  override name = "MailRejectedError";
}

interface SmtpError {
  code?: unknown;
  responseCode?: unknown;
}

/**
 * A 5xx reply to the envelope (MAIL FROM, RCPT TO) or to the message itself is permanent:
 * the address does not exist, or the message is refused. A 5xx to anything else (AUTH, a
 * TLS problem) is our configuration, which an operator can fix while the job retries.
 */
function isPermanent(error: unknown): boolean {
  if (typeof error !== "object" || error === null) return false;
  const { code, responseCode } = error as SmtpError;
  return (
    (code === "EENVELOPE" || code === "EMESSAGE") &&
    typeof responseCode === "number" &&
    responseCode >= 500 &&
    responseCode < 600
  );
}

// A job waits on the send: a dead server must fail the attempt soon, not in nodemailer's
// default two minutes, so the retry with backoff takes over.
const SMTP_TIMEOUTS = { connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 30_000 };

/**
 * nodemailer over SMTP_URL, one connection per message (sends are few; nothing to close).
 * Without SMTP_URL (development, tests) messages go to .eml files under MAIL_DIR, and the
 * path is logged, so a developer can open the link without a mail server.
 */
export function createMailer(options: MailerOptions): Mailer {
  const { logger } = options;
  if (options.smtpUrl) {
    const transport = nodemailer.createTransport({ url: options.smtpUrl, ...SMTP_TIMEOUTS });
    return {
      async send(email) {
        try {
          const info = await transport.sendMail({ from: options.from, ...email });
          return { messageId: info.messageId };
        } catch (error) {
          if (isPermanent(error)) {
            const reply = error instanceof Error ? error.message : String(error);
            throw new MailRejectedError(`The mail server refused the message: ${reply}`, {
              cause: error,
            });
          }
          throw error;
        }
      },
    };
  }

  const transport = nodemailer.createTransport({ streamTransport: true, buffer: true });
  return {
    async send(email) {
      const info = await transport.sendMail({ from: options.from, ...email });
      const stamp = new Date().toISOString().replace(/[:.]/g, "-");
      const file = path.join(options.mailDir, `${stamp}-${randomBytes(4).toString("hex")}.eml`);
      await mkdir(options.mailDir, { recursive: true });
      if (!Buffer.isBuffer(info.message)) throw new Error("stream transport gave no buffer");
      await writeFile(file, info.message);
      // The path, not the contents: the message may hold a link that works once.
      logger.info({ file, subject: email.subject }, "email written to a file (no SMTP_URL)");
      return { messageId: info.messageId, file };
    },
  };
}
