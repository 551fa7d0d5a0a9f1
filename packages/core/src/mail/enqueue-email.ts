import { randomUUID } from "node:crypto";

import { sendEmailJob, type EmailJob, type JobProducer } from "@lifeline/queue";

/**
 * Asks the jobs app to send one email; resolves to the job's id. Every request is a job of
 * its own with a random id, never BullMQ's counter: the link's token is derived from the id
 * (see email-tokens.ts), and a counter starts again if Redis loses its data.
 */
export function enqueueEmail(jobs: Pick<JobProducer, "enqueue">, email: EmailJob): Promise<string> {
  return jobs.enqueue(sendEmailJob, email, { jobId: `email-${randomUUID()}` });
}

/** The recipient of an email job: the user it is about, or the address it goes to. */
function recipientOf(email: EmailJob): string {
  if ("userId" in email) return email.userId;
  return "email" in email ? email.email : email.template;
}

/**
 * Enqueues an account email unless the mailbox gate says this recipient got the same kind
 * of email moments ago (see AccountDeps.mailGate); resolves to whether it was enqueued.
 */
export async function enqueueAccountEmail(
  deps: { jobs: Pick<JobProducer, "enqueue">; mailGate?: (key: string) => Promise<boolean> },
  email: EmailJob,
): Promise<boolean> {
  if (deps.mailGate && !(await deps.mailGate(`${email.template}:${recipientOf(email)}`))) {
    return false;
  }
  await enqueueEmail(deps.jobs, email);
  return true;
}
