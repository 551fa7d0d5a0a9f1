import type { ImportRun, ImportStatus, ImportTrigger, Provider } from "@lifeline/db";

import type { RunErrorEntry } from "./run-state";

/** What imports.get and imports.list answer with: no cursor, no token, nothing internal. */
export interface ImportRunView {
  id: string;
  linkedAccountId: string;
  provider: Provider;
  trigger: ImportTrigger;
  status: ImportStatus;
  counts: {
    /** Items the listing has shown so far (carousel children and attachments one each). */
    seen: number;
    /** Recorded by this run. */
    new: number;
    /** Already in the library from an earlier import. */
    existing: number;
    /** Nothing to keep (no bytes and no text). */
    skipped: number;
    /** Their bytes could not be fetched or stored; see `errors`. */
    failed: number;
    /** Waiting for their bytes. */
    pending: number;
  };
  progress: {
    pagesDone: number;
    listingDone: boolean;
    /** Items settled (not pending) of those seen so far. */
    itemsDone: number;
    /** itemsDone / seen as a whole percentage once the listing is done; null before. */
    percent: number | null;
  };
  /** The last per-item errors, newest first (bounded). */
  errors: RunErrorEntry[];
  /** Why the run as a whole failed: `needs_relink`, `retry_later` or `misconfigured`. */
  error: { code: string; message: string } | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  /** From start to finish (or to now while it runs); null before it starts. */
  durationMs: number | null;
}

export type ImportRunRow = ImportRun & { linkedAccount: { provider: Provider } };

export const importRunInclude = { linkedAccount: { select: { provider: true } } } as const;

function runErrors(value: unknown, limit: number): RunErrorEntry[] {
  if (!Array.isArray(value)) return [];
  return (value as RunErrorEntry[]).slice(0, limit);
}

function runError(value: string | null): ImportRunView["error"] {
  if (value === null) return null;
  const split = value.indexOf(": ");
  return split === -1
    ? { code: value, message: value }
    : { code: value.slice(0, split), message: value.slice(split + 2) };
}

export function toImportRunView(row: ImportRunRow, now: Date, errorLimit = 50): ImportRunView {
  const itemsDone = Math.max(0, row.itemsSeen - row.itemsPending - row.itemsSkipped);
  const settled = itemsDone + row.itemsSkipped;
  const end = row.finishedAt ?? now;
  return {
    id: row.id,
    linkedAccountId: row.linkedAccountId,
    provider: row.linkedAccount.provider,
    trigger: row.trigger,
    status: row.status,
    counts: {
      seen: row.itemsSeen,
      new: row.itemsNew,
      existing: row.itemsExisting,
      skipped: row.itemsSkipped,
      failed: row.itemsFailed,
      pending: Math.max(0, row.itemsPending),
    },
    progress: {
      pagesDone: row.pagesDone,
      listingDone: row.listingDone,
      itemsDone: settled,
      percent:
        row.listingDone && row.itemsSeen > 0
          ? Math.floor((settled / row.itemsSeen) * 100)
          : row.listingDone
            ? 100
            : null,
    },
    errors: runErrors(row.errors, errorLimit),
    error: runError(row.error),
    createdAt: row.createdAt.toISOString(),
    startedAt: row.startedAt?.toISOString() ?? null,
    finishedAt: row.finishedAt?.toISOString() ?? null,
    durationMs: row.startedAt ? Math.max(0, end.getTime() - row.startedAt.getTime()) : null,
  };
}
