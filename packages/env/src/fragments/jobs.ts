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
     * Token refreshes at once (the accounts queue): each mostly waits (the provider's token
     * endpoint, a few Redis and Postgres round trips), so far more than the cores. At 32, a
     * sweep of 10,000 accounts against a provider answering in 50 ms takes well under a
     * minute (`pnpm bench accounts`); at 16 it took 77 s on the loaded 2-core machine.
     */
    JOBS_CONCURRENCY_ACCOUNTS: wholeNumber(1, 200).default(32),
    /**
     * Links that cannot be refreshed (Facebook): the owner is emailed once, this many days
     * before the link ends, to link it again.
     */
    JOBS_ACCOUNT_EXPIRY_WARNING_DAYS: wholeNumber(1, 59).default(7),
    /**
     * Postgres connections of one jobs process. Its queues run dozens of jobs at once that
     * each make a few short queries (token refreshes above all): with fewer connections than
     * that they queue for one (a 10,000-account refresh sweep took 56 s on 10, 47 s on 30).
     */
    JOBS_DATABASE_POOL: wholeNumber(2, 200).default(20),
    /** On SIGTERM, running jobs get this long to finish; the rest go back to their queue. */
    JOBS_SHUTDOWN_TIMEOUT_MS: wholeNumber(1000, 600_000).default(25_000),
    /** Audit events older than this are deleted by the daily retention job. */
    AUDIT_RETENTION_DAYS: wholeNumber(1, 36_500).default(365),
  },
});
