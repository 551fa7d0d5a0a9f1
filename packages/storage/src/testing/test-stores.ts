import { mkdtemp, readdir, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";

import { CreateBucketCommand, ListObjectsV2Command } from "@aws-sdk/client-s3";

import { createS3Client } from "../drivers/s3";
import type { S3TestServer } from "./s3-server";

/**
 * An empty store for one test of an app: the env that points the app's real wiring at it
 * (STORAGE_DRIVER and its settings, as a deployment sets them) and a way to see every
 * object in it without going through the driver (blobs, temps, derived files).
 */
export interface TestStore {
  driver: "local" | "s3";
  env: Record<string, string>;
  /** Every object key (`blobs/…`, `tmp/…`, `thumbnails/…`), sorted. */
  rawKeys(): Promise<string[]>;
  remove(): Promise<void>;
}

/** A fresh directory under the OS's temporary directory, for the local driver. */
export async function localTestStore(): Promise<TestStore> {
  const root = await mkdtemp(path.join(os.tmpdir(), "lifeline-media-"));
  return {
    driver: "local",
    env: { STORAGE_DRIVER: "local", MEDIA_DIR: root },
    async rawKeys() {
      const entries = await readdir(root, { recursive: true, withFileTypes: true });
      return entries
        .filter((entry) => entry.isFile())
        .map((entry) => path.relative(root, path.join(entry.parentPath, entry.name)))
        .map((file) => file.split(path.sep).join("/"))
        .sort();
    },
    async remove() {
      await rm(root, { recursive: true, force: true });
    },
  };
}

const S3RVER_KEY = "S3RVER";
let buckets = 0;

/** A fresh bucket on a running s3rver (startS3Server), for the s3 driver. */
export async function s3TestStore(server: S3TestServer): Promise<TestStore> {
  const bucket = `media-${process.pid}-${++buckets}`;
  const client = createS3Client({
    endpoint: server.endpoint,
    region: "us-east-1",
    accessKeyId: S3RVER_KEY,
    secretAccessKey: S3RVER_KEY,
  });
  await client.send(new CreateBucketCommand({ Bucket: bucket }));
  return {
    driver: "s3",
    env: {
      STORAGE_DRIVER: "s3",
      S3_ENDPOINT: server.endpoint,
      S3_REGION: "us-east-1",
      S3_BUCKET: bucket,
      S3_ACCESS_KEY_ID: S3RVER_KEY,
      S3_SECRET_ACCESS_KEY: S3RVER_KEY,
    },
    async rawKeys() {
      const keys: string[] = [];
      let token: string | undefined;
      do {
        const page = await client.send(
          new ListObjectsV2Command({ Bucket: bucket, ContinuationToken: token }),
        );
        for (const object of page.Contents ?? []) if (object.Key) keys.push(object.Key);
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token);
      return keys.sort();
    },
    async remove() {
      client.destroy();
    },
  };
}
