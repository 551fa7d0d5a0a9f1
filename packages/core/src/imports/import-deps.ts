import type { Db } from "@lifeline/db";
import type { Logger } from "@lifeline/logger";
import type { ProviderRegistry } from "@lifeline/providers";
import type { JobProducer } from "@lifeline/queue";
import type { BlobStorage } from "@lifeline/storage";

import type { AccountAccessSource } from "./account-access";
import type { ProviderLimits } from "./provider-limits";

/** What the import jobs need; the jobs app builds it once. */
export interface ImportDeps {
  db: Db;
  storage: BlobStorage;
  jobs: Pick<JobProducer, "enqueue">;
  providers: Pick<ProviderRegistry, "get">;
  access: AccountAccessSource;
  limits: ProviderLimits;
  /** The owner's cached timeline reads: stale once an item is stored. */
  timeline: { invalidate(userId: string): Promise<void> };
  logger: Pick<Logger, "info" | "warn">;
  now: () => Date;
  /** MEDIA_MAX_BYTES: the largest file an import stores. */
  maxBytes: number;
}

/** How a job ended: done, or to be run again later without spending an attempt. */
export type ImportJobOutcome =
  { outcome: "done"; detail: string } | { outcome: "deferred"; delayMs: number; detail: string };

export const done = (detail: string): ImportJobOutcome => ({ outcome: "done", detail });

export const deferred = (delayMs: number, detail: string): ImportJobOutcome => ({
  outcome: "deferred",
  delayMs: Math.max(1, Math.round(delayMs)),
  detail,
});
