import type { Readable } from "node:stream";

import { resolveFromRepoRoot, type JobsEnv } from "@lifeline/env";
import {
  createLocalBlobStorage,
  createS3BlobStorage,
  createS3Client,
  type BlobStorage,
  type StorageLogger,
} from "@lifeline/storage";

/**
 * Where backups live: a content-addressed store of the same kind as the media store (the
 * storage package's drivers, so the same atomic writes and hash checks), under BACKUP_DIR or
 * in a bucket of its own. Inside it:
 *   blobs/ab/cd/<sha256>                      media blobs, shared by every media backup
 *   database/<yyyy-mm-dd>/<id>.dump            pg_dump --format=custom
 *   database/<yyyy-mm-dd>/<id>.dump.sha256     its checksum, in sha256sum's format
 *   media/<yyyy-mm-dd>/<id>.manifest.jsonl.gz  every blob the database referenced, with size
 *   media/<yyyy-mm-dd>/<id>.manifest.jsonl.gz.sha256
 * Objects are written to a temp (fsynced on disk) and renamed into place (putObject).
 */
export type BackupStore = BlobStorage;

export type BackupStoreEnv = Pick<
  JobsEnv,
  | "BACKUP_DRIVER"
  | "BACKUP_DIR"
  | "BACKUP_S3_ENDPOINT"
  | "BACKUP_S3_REGION"
  | "BACKUP_S3_BUCKET"
  | "BACKUP_S3_ACCESS_KEY_ID"
  | "BACKUP_S3_SECRET_ACCESS_KEY"
>;

export function createBackupStore(env: BackupStoreEnv, logger: StorageLogger): BackupStore {
  if (env.BACKUP_DRIVER === "local") {
    const root = resolveFromRepoRoot(env.BACKUP_DIR);
    logger.info({ driver: "local", backupDir: root }, "backups: local directory");
    return createLocalBlobStorage(root, logger);
  }
  const {
    BACKUP_S3_BUCKET: bucket,
    BACKUP_S3_ACCESS_KEY_ID: accessKeyId,
    BACKUP_S3_SECRET_ACCESS_KEY: secretAccessKey,
  } = env;
  // The env schema requires these with the s3 driver; this guards a hand-built env object.
  if (!bucket || !accessKeyId || !secretAccessKey) {
    throw new Error(
      "BACKUP_DRIVER=s3 needs BACKUP_S3_BUCKET, BACKUP_S3_ACCESS_KEY_ID and BACKUP_S3_SECRET_ACCESS_KEY",
    );
  }
  const client = createS3Client({
    endpoint: env.BACKUP_S3_ENDPOINT,
    region: env.BACKUP_S3_REGION,
    accessKeyId,
    secretAccessKey,
  });
  logger.info(
    { driver: "s3", endpoint: env.BACKUP_S3_ENDPOINT ?? "aws", bucket },
    "backups: S3 bucket",
  );
  return createS3BlobStorage({ client, bucket }, logger);
}

/** The largest object one put may hold: S3 commits with one server-side copy (5 GiB). */
export function maxObjectBytes(store: BlobStorage): number {
  return store.driver === "s3" ? 5 * 1024 ** 3 : Number.MAX_SAFE_INTEGER;
}

const day = (at: Date) => at.toISOString().slice(0, 10);

export const backupKeys = {
  databaseDump: (id: string, at: Date) => `database/${day(at)}/${id}.dump`,
  mediaManifest: (id: string, at: Date) => `media/${day(at)}/${id}.manifest.jsonl.gz`,
  checksumOf: (key: string) => `${key}.sha256`,
};

/** "<sha256>  <name>\n", what `sha256sum -c` reads. */
export function checksumLine(sha256: string, key: string): string {
  return `${sha256}  ${key.split("/").pop() ?? key}\n`;
}

/** The sha256 a checksum object holds, or null when absent or unreadable. */
export async function readChecksum(store: BlobStorage, key: string): Promise<string | null> {
  const read = await store.getObject(backupKeys.checksumOf(key));
  if (!read) return null;
  const text = await readSmall(read.body, 1024);
  const match = /^([0-9a-f]{64})\s/.exec(text);
  return match?.[1] ?? null;
}

async function readSmall(body: Readable, limit: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) {
      body.destroy();
      break;
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString("utf8");
}
