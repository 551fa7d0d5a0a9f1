/**
 * Every queue, by name. A queue groups jobs that share a worker and a concurrency: email
 * (SMTP is slow and rate-limited), maintenance (schedules), media (thumbnails, blob
 * collection: CPU and disk), imports (provider listings and downloads: network-bound), and
 * the ones the provider and backup features add.
 */
export const QUEUE_NAMES = ["email", "maintenance", "media", "imports", "backups"] as const;

export type QueueName = (typeof QUEUE_NAMES)[number];
