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
    /**
     * Token refreshes at once (the accounts queue): each waits on a provider's token
     * endpoint, so far more than the cores; a 6-hourly sweep of 10,000 accounts at 50 ms per
     * call needs about 10 to finish within a minute.
     */
    JOBS_CONCURRENCY_ACCOUNTS: wholeNumber(1, 200).default(16),
    /**
     * Links that cannot be refreshed (Facebook): the owner is emailed once, this many days
     * before the link ends, to link it again.
     */
    JOBS_ACCOUNT_EXPIRY_WARNING_DAYS: wholeNumber(1, 59).default(7),
    /** On SIGTERM, running jobs get this long to finish; the rest go back to their queue. */
    JOBS_SHUTDOWN_TIMEOUT_MS: wholeNumber(1000, 600_000).default(25_000),
    /** Audit events older than this are deleted by the daily retention job. */
    AUDIT_RETENTION_DAYS: wholeNumber(1, 36_500).default(365),
  },
});
