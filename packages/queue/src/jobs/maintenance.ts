import { z } from "zod";

import { defineJob } from "../define-job";

/** Deletes what has expired: ended sessions, their refresh tokens, used or expired email tokens. */
export const purgeExpiredJob = defineJob({
  name: "maintenance.purge-expired",
  queue: "maintenance",
  payload: z.object({}),
});

/** Deletes audit events older than the retention period (AUDIT_RETENTION_DAYS). */
export const auditRetentionJob = defineJob({
  name: "maintenance.audit-retention",
  queue: "maintenance",
  payload: z.object({}),
});
