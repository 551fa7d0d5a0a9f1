import { resolveFromRepoRoot, type ServerEnv } from "@lifeline/env";

import type { BlobStorage } from "./blob-storage";
import { ContentStore, type StorageLogger } from "./content-store";
import { LocalBackend } from "./drivers/local";
import { createS3Client, S3Backend, type S3BackendOptions } from "./drivers/s3";

/** The storage settings (packages/env/src/fragments/storage.ts); the server's and the jobs app's env both have them. */
export type StorageEnv = Pick<
  ServerEnv,
  | "STORAGE_DRIVER"
  | "MEDIA_DIR"
  | "S3_ENDPOINT"
  | "S3_REGION"
  | "S3_BUCKET"
  | "S3_ACCESS_KEY_ID"
  | "S3_SECRET_ACCESS_KEY"
>;

/** Local-disk storage under `root` (an absolute path). */
export function createLocalBlobStorage(root: string, logger: StorageLogger): BlobStorage {
  return new ContentStore(new LocalBackend(root), logger);
}

/** Storage in an S3 bucket, through a client from `createS3Client`. */
export function createS3BlobStorage(options: S3BackendOptions, logger: StorageLogger): BlobStorage {
  return new ContentStore(new S3Backend(options), logger);
}

/** The storage the configuration names (STORAGE_DRIVER), logged without its secrets. */
export function createBlobStorage(env: StorageEnv, logger: StorageLogger): BlobStorage {
  if (env.STORAGE_DRIVER === "local") {
    const root = resolveFromRepoRoot(env.MEDIA_DIR);
    logger.info({ driver: "local", mediaDir: root }, "storage: local disk");
    return createLocalBlobStorage(root, logger);
  }
  const {
    S3_BUCKET: bucket,
    S3_ACCESS_KEY_ID: accessKeyId,
    S3_SECRET_ACCESS_KEY: secretAccessKey,
  } = env;
  // The env schema requires these with the s3 driver; this guards a hand-built env object.
  if (!bucket || !accessKeyId || !secretAccessKey) {
    throw new Error("STORAGE_DRIVER=s3 needs S3_BUCKET, S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY");
  }
  const client = createS3Client({
    endpoint: env.S3_ENDPOINT,
    region: env.S3_REGION,
    accessKeyId,
    secretAccessKey,
  });
  logger.info(
    { driver: "s3", endpoint: env.S3_ENDPOINT ?? "aws", region: env.S3_REGION, bucket },
    "storage: S3 bucket",
  );
  return createS3BlobStorage({ client, bucket }, logger);
}
