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
