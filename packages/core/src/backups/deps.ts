import type { Db } from "@lifeline/db";
import type { Logger } from "@lifeline/logger";
import type { JobProducer } from "@lifeline/queue";
import type { BlobStorage } from "@lifeline/storage";

import type { BackupStore } from "./backup-store";
import type { PgTools } from "./pg-tools";
import type { RetentionPolicy } from "./retention";

/** What every backup operation uses; the jobs app and the backup commands build it. */
export interface BackupDeps {
  db: Db;
  /** DATABASE_URL: what pg_dump dumps, and the server scratch databases are made on. */
  databaseUrl: string;
  /** Where backups go. */
  store: BackupStore;
  /** The media store backed up (and restored into). */
  media: BlobStorage;
  tools: PgTools;
  retention: RetentionPolicy;
  logger: Logger;
  now: () => Date;
  /** Lines for a terminal (`pnpm backup:run`); unset in the jobs app, which logs instead. */
  progress?: ((line: string) => void) | undefined;
  /** Enqueues the failure email (unset: failures are only logged). */
  jobs?: Pick<JobProducer, "enqueue"> | undefined;
  /** ALERT_EMAIL is set: failures are emailed. */
  alertsEnabled?: boolean | undefined;
}

export type BackupContext = BackupDeps & { signal?: AbortSignal | undefined };
