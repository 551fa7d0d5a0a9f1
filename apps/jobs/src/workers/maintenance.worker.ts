import { deleteOldAuditEvents, purgeExpired } from "@lifeline/core";
import { auditRetentionJob, purgeExpiredJob } from "@lifeline/queue";

import { handle } from "../handler";
import type { QueueWorkerSpec } from "../run-workers";

export function maintenanceWorker(concurrency: number): QueueWorkerSpec {
  return {
    queue: "maintenance",
    concurrency,
    handlers: [
      handle(purgeExpiredJob, async (_payload, { deps, logger }) => {
        const purged = await purgeExpired(deps.db, deps.now());
        logger.info(purged, "purged expired sessions and email tokens");
        return purged;
      }),
      handle(auditRetentionJob, async (_payload, { deps, logger }) => {
        const days = deps.env.AUDIT_RETENTION_DAYS;
        const deleted = await deleteOldAuditEvents(deps.db, deps.now(), days);
        logger.info({ deleted, days }, "deleted audit events past retention");
        return { deleted };
      }),
    ],
  };
}
