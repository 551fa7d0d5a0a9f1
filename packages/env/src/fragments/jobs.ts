import { defineFragment } from "../compose";
import { wholeNumber } from "../fields";

/** The jobs app: how many jobs of each queue run at once, and how long it may take to stop. */
export const jobsEnv = defineFragment({
  shape: {
    JOBS_CONCURRENCY_EMAIL: wholeNumber(1, 100).default(4),
    JOBS_CONCURRENCY_MAINTENANCE: wholeNumber(1, 10).default(1),
    /** Thumbnails are CPU work (sharp): about one per core. */
    JOBS_CONCURRENCY_MEDIA: wholeNumber(1, 32).default(2),
    /** Provider listings and downloads: network-bound, so more than the cores. */
    JOBS_CONCURRENCY_IMPORTS: wholeNumber(1, 64).default(8),
    /**
     * Downloads of one linked account at once, across every jobs process (a Redis
     * semaphore): Outlook allows 4 concurrent requests per mailbox.
     */
    JOBS_IMPORT_ACCOUNT_CONCURRENCY: wholeNumber(1, 16).default(4),
    /** On SIGTERM, running jobs get this long to finish; the rest go back to their queue. */
    JOBS_SHUTDOWN_TIMEOUT_MS: wholeNumber(1000, 600_000).default(25_000),
    /** Audit events older than this are deleted by the daily retention job. */
    AUDIT_RETENTION_DAYS: wholeNumber(1, 36_500).default(365),
  },
});
