import type { Logger } from "@lifeline/logger";
import { slotJobId, type JobProducer, type Schedule } from "@lifeline/queue";
import type { Redis } from "ioredis";
import cron, { type ScheduledTask } from "node-cron";

/**
 * Fires the schedule table. Every jobs process runs this; each slot still runs once:
 * - a firing enqueues a job whose id is derived from the schedule and the slot, and BullMQ
 *   keeps one job per id, so two processes firing the same slot add one job;
 * - the latest slot enqueued is recorded in Redis (it only moves forward), so at start-up
 *   a process can tell a slot missed while every process was down, and runs that one (only
 *   the latest) once; the same check runs when Redis returns after an outage, for the slots
 *   that fired while it was gone. A deployment's very first start has missed nothing.
 */
export interface Scheduler {
  stop(): void;
  /**
   * Runs the latest slot of each schedule that no process recorded: done at start, and
   * again by itself whenever Redis comes back after an outage.
   */
  catchUp(): Promise<string[]>;
}

// Records `slot` as the latest of `key` if it is later than what is recorded; 1 if it was.
const RECORD_SLOT = `
local current = tonumber(redis.call("GET", KEYS[1]) or "0")
if tonumber(ARGV[1]) > current then
  redis.call("SET", KEYS[1], ARGV[1])
  return 1
end
return 0
`;

/** Six fields: the expression has seconds (tests use them); five: minute precision. */
function stepMs(expression: string): number {
  return expression.trim().split(/\s+/).length === 6 ? 1000 : 60_000;
}

/** How far back a missed slot is looked for: a month covers every schedule of ours. */
const LOOKBACK_MS = 35 * 24 * 3600 * 1000;

/** The latest time at or before `now` that the schedule fires, within the lookback. */
export function latestSlot(task: ScheduledTask, expression: string, now: Date): Date | null {
  const step = stepMs(expression);
  const start = Math.floor(now.getTime() / step) * step;
  const lookback = step === 1000 ? 3600 * 1000 : LOOKBACK_MS;
  for (let t = start; t > start - lookback; t -= step) {
    const candidate = new Date(t);
    if (task.match(candidate)) return candidate;
  }
  return null;
}

export function startScheduler(options: {
  schedules: readonly Schedule[];
  jobs: JobProducer;
  redis: Redis;
  redisKeyPrefix: string;
  logger: Logger;
  now?: () => Date;
}): Scheduler {
  const { jobs, redis, logger } = options;
  const now = options.now ?? (() => new Date());
  const lastKey = (schedule: Schedule) =>
    `${options.redisKeyPrefix}schedules:last:${schedule.name}`;

  async function enqueueSlot(schedule: Schedule, slot: Date): Promise<void> {
    const jobId = slotJobId(schedule, slot);
    await jobs.enqueue(schedule.job, schedule.payload, { jobId });
    await redis.eval(RECORD_SLOT, 1, lastKey(schedule), String(slot.getTime()));
    logger.info({ schedule: schedule.name, slot: slot.toISOString(), jobId }, "schedule fired");
  }

  const tasks = options.schedules.map((schedule) => {
    const task = cron.schedule(
      schedule.cron,
      async (context) => {
        try {
          await enqueueSlot(schedule, context.date);
        } catch (error) {
          logger.error({ err: error, schedule: schedule.name }, "schedule could not enqueue");
        }
      },
      { timezone: schedule.timezone, name: schedule.name },
    );
    return { schedule, task };
  });

  async function catchUp(): Promise<string[]> {
    const ran: string[] = [];
    for (const { schedule, task } of tasks) {
      const slot = latestSlot(task, schedule.cron, now());
      if (!slot) continue;
      const recorded = await redis.get(lastKey(schedule));
      if (recorded === null) {
        // First start of this schedule: nothing was missed; remember where it begins.
        await redis.eval(RECORD_SLOT, 1, lastKey(schedule), String(slot.getTime()));
        continue;
      }
      if (Number(recorded) >= slot.getTime()) continue;
      logger.warn(
        { schedule: schedule.name, slot: slot.toISOString() },
        "a slot was missed (no jobs process ran, or Redis was down): running it now",
      );
      await enqueueSlot(schedule, slot);
      ran.push(schedule.name);
    }
    return ran;
  }

  // A firing that could not enqueue while Redis was down is caught up when it is back, the
  // way a slot missed by every process is at start-up: the latest one, once.
  const onReconnect = () => {
    catchUp().catch((error: unknown) => {
      logger.error({ err: error }, "could not check for slots missed while Redis was down");
    });
  };
  redis.on("ready", onReconnect);

  return {
    stop() {
      redis.off("ready", onReconnect);
      for (const { task } of tasks) {
        void task.stop();
        void task.destroy();
      }
    },
    catchUp,
  };
}
