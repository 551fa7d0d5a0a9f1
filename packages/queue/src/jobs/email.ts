import { z } from "zod";

import { defineJob } from "../define-job";

const ZUserId = z.uuid();

/**
 * One email to send. The worker renders it from the ids and, for links, mints the token
 * itself, so no token ever sits in Redis. Each request is a job with an id of its own (a
 * resend is a new email), while a retry of the same job sends the same email.
 */
export const ZEmailJobSchema = z.discriminatedUnion("template", [
  z.object({ template: z.literal("verify-email"), userId: ZUserId }),
  z.object({ template: z.literal("password-reset"), email: z.email() }),
  z.object({ template: z.literal("registration-attempt"), userId: ZUserId }),
  z.object({ template: z.literal("failed-sign-ins"), userId: ZUserId }),
  z.object({
    template: z.literal("reconnect-provider"),
    userId: ZUserId,
    linkedAccountId: z.uuid(),
  }),
  // A link that cannot be refreshed (Facebook) ends soon: link it again before it does.
  z.object({
    template: z.literal("provider-expiring"),
    userId: ZUserId,
    linkedAccountId: z.uuid(),
  }),
  // To ALERT_EMAIL (the worker's setting, never an address from the payload).
  z.object({
    template: z.literal("backup-failed"),
    backupId: z.uuid().nullable(),
    stage: z.enum(["backup", "verify", "drill", "retention"]),
  }),
]);

export type EmailJob = z.output<typeof ZEmailJobSchema>;

export const sendEmailJob = defineJob({
  name: "email.send",
  queue: "email",
  payload: ZEmailJobSchema,
  // SMTP outages last minutes: 8 attempts from 30 s doubling span about an hour.
  options: { attempts: 8, backoff: { type: "exponential", delay: 30_000 } },
});
