export { createRedis, waitForRedis, type RedisRole } from "./connection";
export { bullPrefix, heartbeatKey } from "./keys";
export { QUEUE_NAMES, type QueueName } from "./queue-names";
export { DEFAULT_JOB_OPTIONS, defineJob, type JobDefinition, type JobPayload } from "./define-job";
export {
  createJobProducer,
  JobPayloadError,
  parsePayload,
  RedisNotReadyError,
  type EnqueueOptions,
  type JobProducer,
} from "./producer";
export { HEARTBEAT_INTERVAL_MS, readHeartbeats, startHeartbeat, type Heartbeat } from "./heartbeat";
export { SCHEDULES, slotJobId, type Schedule } from "./schedules";
export * from "./jobs";
