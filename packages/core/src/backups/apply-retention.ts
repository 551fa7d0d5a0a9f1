import type { BackupKind } from "@lifeline/db";

import { deleteCatalogEntry } from "./backup-catalog";
import { backupKeys } from "./backup-store";
import type { BackupContext } from "./deps";
import { readManifest } from "./media-manifest";
import { planRetention, type RetentionCandidate } from "./retention";

export interface RetentionResult {
  removedBackups: { id: string; kind: BackupKind; location: string; reason: string }[];
  removedBlobs: number;
}

/**
 * Applies the retention policy (see planRetention) to both kinds: logs what will go, then
 * deletes each backup's objects and its record; then deletes the blobs in the store that no
 * retained media manifest references. Run under the backup lock, so no media backup is
 * copying blobs meanwhile; if any retained manifest cannot be read, no blob is deleted.
 */
export async function applyRetention(ctx: BackupContext): Promise<RetentionResult> {
  const result: RetentionResult = { removedBackups: [], removedBlobs: 0 };
  for (const kind of ["database", "media"] as const) {
    const records = await ctx.db.backupRecord.findMany({
      where: { kind, status: { not: "running" } },
      select: { id: true, status: true, startedAt: true, location: true },
    });
    const plan = planRetention(records as RetentionCandidate[], ctx.retention);
    if (plan.remove.length === 0) continue;
    const byId = new Map(records.map((r) => [r.id, r]));
    const doomed = plan.remove.flatMap(({ id, reason }) => {
      const record = byId.get(id);
      return record
        ? [{ id, kind, location: record.location, reason, startedAt: record.startedAt }]
        : [];
    });
    ctx.logger.info(
      {
        kind,
        keep: plan.keep.length,
        delete: doomed.map((d) => ({
          id: d.id,
          startedAt: d.startedAt.toISOString(),
          location: d.location,
          reason: d.reason,
        })),
      },
      `retention: deleting ${doomed.length} ${kind} backup(s)`,
    );
    for (const backup of doomed) {
      await ctx.store.deleteObject(backup.location);
      await ctx.store.deleteObject(backupKeys.checksumOf(backup.location));
      await deleteCatalogEntry(ctx.store, kind, backup.id);
      await ctx.db.backupRecord.delete({ where: { id: backup.id } });
      result.removedBackups.push({
        id: backup.id,
        kind,
        location: backup.location,
        reason: backup.reason,
      });
    }
  }
  result.removedBlobs = await collectUnreferencedBlobs(ctx);
  if (result.removedBackups.length || result.removedBlobs) {
    ctx.progress?.(
      `retention: ${result.removedBackups.length} backup(s) and ${result.removedBlobs} blob(s) deleted`,
    );
  }
  return result;
}

/** Deletes store blobs that no retained media manifest lists; returns how many. */
async function collectUnreferencedBlobs(ctx: BackupContext): Promise<number> {
  const manifests = await ctx.db.backupRecord.findMany({
    where: { kind: "media", status: { in: ["completed", "verified"] } },
    select: { id: true, location: true },
  });
  const referenced = new Set<string>();
  try {
    for (const manifest of manifests) {
      for await (const entry of readManifest(ctx.store, manifest.location))
        referenced.add(entry.sha256);
    }
  } catch (error) {
    ctx.logger.error(
      { err: error },
      "retention: a retained media manifest cannot be read; no blob is deleted until it can",
    );
    return 0;
  }
  const unreferenced: string[] = [];
  for await (const sha256 of ctx.store.list())
    if (!referenced.has(sha256)) unreferenced.push(sha256);
  if (unreferenced.length === 0) return 0;
  ctx.logger.info(
    { count: unreferenced.length, examples: unreferenced.slice(0, 10) },
    "retention: deleting backed-up blobs no retained media manifest references",
  );
  for (const sha256 of unreferenced) await ctx.store.delete(sha256);
  return unreferenced.length;
}
