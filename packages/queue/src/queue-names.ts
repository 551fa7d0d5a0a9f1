/**
 * Every queue, by name. A queue groups jobs that share a worker and a concurrency: email
 * (SMTP is slow and rate-limited), maintenance (schedules), media (thumbnails, blob
 * collection: CPU and disk), imports (provider listings and downloads: network-bound), and
 * the ones the provider and backup features add (accounts: token refresh, many small
 * provider calls waiting on the network).
 */
export const QUEUE_NAMES = [
  "email",
  "maintenance",
  "media",
  "imports",
  "backups",
  "accounts",
] as const;

export type QueueName = (typeof QUEUE_NAMES)[number];
