import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";

import { CreateBucketCommand, ListObjectsV2Command, PutObjectCommand } from "@aws-sdk/client-s3";
import { silentLogger } from "@lifeline/logger";

import {
  createLocalBlobStorage,
  createS3BlobStorage,
  createS3Client,
  type BlobStorage,
} from "../../src/index";
import { startS3Server } from "../../src/testing";

/** One empty store, and ways to look at it without going through the driver. */
export interface StoreUnderTest {
  storage: BlobStorage;
  /** A second instance on the same store: another process, or this one after a restart. */
  reopen(): BlobStorage;
  /** Every object key in the store, read directly (disk or bucket listing), sorted. */
  rawKeys(): Promise<string[]>;
  /** Replaces an object's bytes behind the driver's back. */
  tamper(key: string, bytes: Buffer): Promise<void>;
}

export interface DriverHarness {
  name: "local" | "s3";
  /** Fresh, empty storage for one test. */
  fresh(): Promise<StoreUnderTest>;
  stop(): Promise<void>;
}

const logger = silentLogger();

export async function localHarness(): Promise<DriverHarness> {
  const base = await mkdtemp(path.join(os.tmpdir(), "lifeline-storage-"));
  return {
    name: "local",
    async fresh() {
      const root = await mkdtemp(path.join(base, "media-"));
      const open = () => createLocalBlobStorage(root, logger);
      return {
        storage: open(),
        reopen: open,
        async rawKeys() {
          const entries = await readdir(root, { recursive: true, withFileTypes: true });
          return entries
            .filter((entry) => entry.isFile())
            .map((entry) => path.relative(root, path.join(entry.parentPath, entry.name)))
            .map((file) => file.split(path.sep).join("/"))
            .sort();
        },
        async tamper(key, bytes) {
          await writeFile(path.join(root, ...key.split("/")), bytes);
        },
      };
    },
    async stop() {
      await rm(base, { recursive: true, force: true });
    },
  };
}

export async function s3Harness(): Promise<DriverHarness> {
  const server = await startS3Server();
  const client = createS3Client({
    endpoint: server.endpoint,
    region: "us-east-1",
    accessKeyId: "S3RVER",
    secretAccessKey: "S3RVER",
  });
  let buckets = 0;
  return {
    name: "s3",
    async fresh() {
      const bucket = `media-${++buckets}`;
      await client.send(new CreateBucketCommand({ Bucket: bucket }));
      // Two keys a page, so every listing exercises ListObjectsV2 paging.
      const open = () =>
        createS3BlobStorage({ client, bucket, listPageSize: 2, partSize: 5 * 1024 * 1024 }, logger);
      return {
        storage: open(),
        reopen: open,
        async rawKeys() {
          const page = await client.send(new ListObjectsV2Command({ Bucket: bucket }));
          return (page.Contents ?? []).map((object) => object.Key ?? "").sort();
        },
        async tamper(key, bytes) {
          await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: bytes }));
        },
      };
    },
    async stop() {
      client.destroy();
      await server.stop();
    },
  };
}
