import { randomUUID } from "node:crypto";
import { readdirSync, statSync } from "node:fs";
import path from "node:path";

import { startImport } from "@lifeline/core";
import type { Db, ImportRun } from "@lifeline/db";
import type { JobProducer } from "@lifeline/queue";

import { waitFor } from "./wait";

/** Starts a manual import as the API would, and returns its run id. */
export async function startRun(
  db: Db,
  jobs: JobProducer,
  account: { id: string; userId: string },
): Promise<string> {
  const { run } = await startImport({ db, jobs }, account.userId, account.id);
  return run.id;
}

/** Waits until the run is completed or failed, and returns it. */
export async function settledRun(db: Db, runId: string, timeoutMs = 60_000): Promise<ImportRun> {
  return waitFor(
    `import run ${runId} to settle`,
    async () => {
      const run = await db.importRun.findUnique({ where: { id: runId } });
      return run && (run.status === "completed" || run.status === "failed") ? run : null;
    },
    timeoutMs,
  );
}

/** Every file under `dir`, relative, recursively. */
export function filesUnder(dir: string): string[] {
  const out: string[] = [];
  const walk = (at: string) => {
    for (const name of readdirSync(at)) {
      const full = path.join(at, name);
      if (statSync(full).isDirectory()) walk(full);
      else out.push(path.relative(dir, full));
    }
  };
  walk(dir);
  return out;
}

/** The blobs (sha256 names) under a local MEDIA_DIR. */
export function blobsUnder(mediaDir: string): string[] {
  return filesUnder(mediaDir)
    .filter((file) => file.startsWith(`blobs${path.sep}`))
    .map((file) => path.basename(file));
}

/** Temps (uploads or downloads in flight, or a crash's leftovers) under a local MEDIA_DIR. */
export function tempsUnder(mediaDir: string): string[] {
  return filesUnder(mediaDir).filter((file) => file.startsWith(`tmp${path.sep}`));
}

export const uniqueUserEmail = () => `imports-${randomUUID().slice(0, 8)}@example.com`;
