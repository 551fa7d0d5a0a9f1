import type { JobDefinition } from "../define-job";
import { refreshAccountJob, refreshSweepJob } from "./accounts";
import { backupDatabaseJob, backupDrillJob, backupMediaJob } from "./backups";
import { sendEmailJob } from "./email";
import { downloadItemJob, importPageJob, syncLinkedAccountsJob } from "./imports";
import { auditRetentionJob, purgeExpiredJob } from "./maintenance";
import { collectBlobJob, makeThumbnailJob, sweepMediaJob } from "./media";

export { refreshAccountJob, refreshAccountJobId, refreshSweepJob } from "./accounts";
export { backupDatabaseJob, backupDrillJob, backupMediaJob } from "./backups";
export { sendEmailJob, ZEmailJobSchema, type EmailJob } from "./email";
export {
  downloadItemJob,
  downloadItemJobId,
  importPageJob,
  importPageJobId,
  syncLinkedAccountsJob,
} from "./imports";
export { auditRetentionJob, purgeExpiredJob } from "./maintenance";
export { collectBlobJob, makeThumbnailJob, sweepMediaJob } from "./media";

/** Every job definition, so a worker can look up the schema of any job it takes. */
export const JOBS: readonly JobDefinition[] = [
  sendEmailJob,
  purgeExpiredJob,
  auditRetentionJob,
  makeThumbnailJob,
  collectBlobJob,
  sweepMediaJob,
  importPageJob,
  downloadItemJob,
  syncLinkedAccountsJob,
  backupDatabaseJob,
  backupMediaJob,
  backupDrillJob,
  refreshAccountJob,
  refreshSweepJob,
];
