import type { Heartbeat, QueueName } from "@lifeline/queue";
import type { Job, Queue } from "bullmq";
import type { z } from "zod";

import type { ZJobsProcessSchema, ZQueueStatusSchema } from "./schemas";

export type QueueStatus = z.output<typeof ZQueueStatusSchema>;
export type JobsProcess = z.output<typeof ZJobsProcessSchema>;

/** The states counted; BullMQ 6 has no "paused" list (a paused queue keeps its jobs waiting). */
const COUNTED = ["waiting", "active", "delayed", "prioritized", "failed", "completed"] as const;

/**
 * When a waiting job became runnable: its creation plus its delay, or, once an attempt has
 * failed, the start of that attempt plus the backoff BullMQ stored as its delay. So a job
 * that spent two hours retrying is not reported as two hours late.
 */
function runnableSince(job: Job): number {
  const start = job.attemptsMade > 0 && job.processedOn ? job.processedOn : job.timestamp;
  return start + (job.delay || 0);
}

/** One queue's counts, whether it is paused, and how long its oldest waiting job has waited. */
export async function queueStatus(
  queue: Queue,
  name: QueueName,
  now: number,
): Promise<QueueStatus> {
  const [counts, paused, oldest] = await Promise.all([
    queue.getJobCounts(...COUNTED),
    queue.isPaused(),
    // The waiting list is FIFO: ascending order puts the next job to run first.
    queue.getJobs(["waiting"], 0, 0, true),
  ]);
  const count = (state: (typeof COUNTED)[number]) => counts[state] ?? 0;
  const first = oldest[0];
  return {
    name,
    paused,
    counts: {
      waiting: count("waiting"),
      active: count("active"),
      delayed: count("delayed"),
      prioritized: count("prioritized"),
      failed: count("failed"),
      completed: count("completed"),
    },
    oldestWaitingSeconds: first
      ? Math.max(0, Math.floor((now - runnableSince(first)) / 1000))
      : null,
  };
}

/** A jobs process as its heartbeat describes it (the pid stays out: the instance names it). */
export function toJobsProcess(heartbeat: Heartbeat): JobsProcess {
  return {
    instance: heartbeat.instance,
    queues: heartbeat.queues,
    lastBeatAt: new Date(heartbeat.at).toISOString(),
  };
}
