import type { Logger } from "@lifeline/logger";
import { bullPrefix, JobPayloadError, parsePayload, type QueueName } from "@lifeline/queue";
import { UnrecoverableError, WaitingError, Worker, type Job } from "bullmq";
import type { Redis } from "ioredis";

import type { JobHandler, JobsDeps } from "./handler";

/** One queue's worker: how many of its jobs run at once, and the handlers for its jobs. */
export interface QueueWorkerSpec {
  queue: QueueName;
  concurrency: number;
  handlers: JobHandler[];
  /**
   * How long a job's lock lasts without renewal, and how often lapsed locks are looked for
   * (BullMQ defaults: 30 s each): how soon a job whose process died runs again elsewhere.
   */
  locks?: { lockDurationMs: number; stalledIntervalMs: number };
}

export interface RunningWorkers {
  workers: Worker[];
  /**
   * Stops taking jobs, lets running ones finish within `deadlineMs`, then asks the rest to
   * give way (their AbortSignal fires): a handler that stops is put back in its queue with
   * no attempt spent. If one ignores the signal, this gives up and rejects (a failed
   * shutdown step): the job is left to BullMQ's stalled-job check, which returns it to the
   * queue once its lock lapses.
   */
  stop(deadlineMs: number): Promise<void>;
}

/** Thrown into a handler's signal when the process stops before the job could finish. */
export class ShutdownError extends Error {
  override name = "ShutdownError";
}

const sleep = (ms: number) =>
  new Promise<"timeout">((resolve) => setTimeout(() => resolve("timeout"), ms).unref());

/** Time a handler gets, after its signal fires, to notice and give way. */
const GIVE_WAY_MS = 5000;

export function startWorkers(options: {
  deps: JobsDeps;
  /** A worker-role connection (maxRetriesPerRequest: null); BullMQ duplicates it as needed. */
  connection: Redis;
  redisKeyPrefix: string;
  specs: QueueWorkerSpec[];
}): RunningWorkers {
  const { deps } = options;
  let stopping = false;
  const active = new Map<string, AbortController>();

  const workers = options.specs.map((spec) => {
    const handlers = new Map(spec.handlers.map((h) => [h.job.name, h]));
    const processor = async (job: Job, token?: string, signal?: AbortSignal) => {
      const handler = handlers.get(job.name);
      // Neither can get better by retrying: fail at once, and keep the job for inspection.
      if (!handler) throw new UnrecoverableError(`No handler for ${job.name} on ${spec.queue}`);
      let payload: unknown;
      try {
        payload = parsePayload(handler.job, job.data);
      } catch (error) {
        if (error instanceof JobPayloadError) throw new UnrecoverableError(error.message);
        throw error;
      }
      const controller = new AbortController();
      const key = `${spec.queue}:${job.id ?? ""}`;
      active.set(key, controller);
      const logger = deps.logger.child({ queue: spec.queue, job: job.name, jobId: job.id });
      try {
        return await handler.handle(payload, {
          deps,
          job,
          token,
          logger,
          signal: signal ? AbortSignal.any([controller.signal, signal]) : controller.signal,
        });
      } catch (error) {
        if (stopping && controller.signal.aborted && token) {
          // Gave way to a shutdown: back to the queue, and no attempt spent.
          await job.moveToWait(token);
          logger.info("job returned to its queue by the shutdown");
          throw new WaitingError();
        }
        throw error;
      } finally {
        active.delete(key);
      }
    };

    const worker = new Worker(spec.queue, processor, {
      connection: options.connection,
      prefix: bullPrefix(options.redisKeyPrefix),
      concurrency: spec.concurrency,
      ...(spec.locks
        ? { lockDuration: spec.locks.lockDurationMs, stalledInterval: spec.locks.stalledIntervalMs }
        : {}),
    });
    watch(worker, spec.queue, deps.logger);
    return worker;
  });

  return {
    workers,
    async stop(deadlineMs) {
      stopping = true;
      const closing = Promise.all(workers.map((w) => w.close()));
      if ((await Promise.race([closing, sleep(deadlineMs)])) !== "timeout") return;
      deps.logger.warn(
        { running: active.size, deadlineMs },
        "jobs still running at the shutdown deadline: asking them to give way",
      );
      for (const controller of active.values()) controller.abort(new ShutdownError("stopping"));
      if ((await Promise.race([closing, sleep(GIVE_WAY_MS)])) !== "timeout") return;
      // Waiting longer would hang the process on a handler that may never return, and a
      // worker already closing cannot be forced closed (BullMQ hands back the same close).
      // The process exits with them still held: their locks lapse and BullMQ's stalled-job
      // check, in a process still running or the next to start, returns them to the queue.
      deps.logger.error(
        { running: active.size },
        "jobs ignored the shutdown; BullMQ will return them to their queue when their lock lapses",
      );
      throw new Error(`${active.size} job(s) did not give way to the shutdown`);
    },
  };
}

const REPEAT_ERROR_MS = 60_000;

/** Failures are logged: a retry as a warning, the last attempt as an error with the payload. */
function watch(worker: Worker, queue: QueueName, logger: Logger): void {
  worker.on("failed", (job, error) => {
    if (!job) return;
    const attempts = job.opts.attempts ?? 1;
    const final = job.attemptsMade >= attempts || error.name === "UnrecoverableError";
    const fields = {
      queue,
      job: job.name,
      jobId: job.id,
      attemptsMade: job.attemptsMade,
      attempts,
      err: error,
    };
    if (final) {
      // The payload holds ids (never secrets), and the logger redacts secret keys anyway.
      logger.error(
        { ...fields, payload: job.data as unknown },
        "job failed for good; kept in the failed set",
      );
    } else {
      logger.warn(fields, "job failed; it will be retried with backoff");
    }
  });
  // While Redis is down each reconnection attempt of each of the worker's connections fails
  // (every 5 s at most): the same error is logged once a minute, not every time.
  const lastLogged = new Map<string, number>();
  worker.on("error", (error) => {
    const now = Date.now();
    if (now - (lastLogged.get(error.message) ?? 0) < REPEAT_ERROR_MS) return;
    if (lastLogged.size > 100) lastLogged.clear();
    lastLogged.set(error.message, now);
    logger.error({ err: error, queue }, "worker error");
  });
}
