import { Readable } from "node:stream";

import {
  AbortMultipartUploadCommand,
  CopyObjectCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  S3Client,
  type GetObjectCommandOutput,
} from "@aws-sdk/client-s3";
import { Upload } from "@aws-sdk/lib-storage";

import type { StorageBackend } from "../backend";
import type { BlobRead, ByteRange } from "../blob-storage";
import { BlobNotFoundError, BlobRangeError } from "../errors";
import { fitRange } from "../ranges";

export interface S3Connection {
  /** Unset: AWS S3 itself, found from the region. */
  endpoint?: string | undefined;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
}

/**
 * A client that speaks plain S3, as S3-compatible servers (MinIO, Garage, Ceph, R2, s3rver)
 * understand it: path-style URLs (no bucket subdomains to resolve), and checksums only where
 * an operation requires them (SDKs since 3.729 otherwise send CRC32 trailers, which many of
 * those servers refuse).
 */
export function createS3Client(connection: S3Connection): S3Client {
  return new S3Client({
    ...(connection.endpoint ? { endpoint: connection.endpoint } : {}),
    region: connection.region,
    credentials: {
      accessKeyId: connection.accessKeyId,
      secretAccessKey: connection.secretAccessKey,
    },
    forcePathStyle: true,
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED",
  });
}

export interface S3BackendOptions {
  client: S3Client;
  bucket: string;
  /**
   * Multipart part size and how many parts upload at once. lib-storage holds about
   * `partSize * (queueSize + 1)` bytes per upload, so memory stays flat whatever the size.
   * Defaults 8 MiB and 2 (the minimum part size is 5 MiB); 10 000 parts at most per object.
   */
  partSize?: number;
  queueSize?: number;
  /** Keys per ListObjectsV2 page (at most 1000; smaller in tests, to exercise paging). */
  listPageSize?: number;
}

const MIB = 1024 * 1024;
/** A single CopyObject copies at most 5 GiB (beyond, it would take a multipart copy). */
const MAX_COPY_BYTES = 5 * 1024 * MIB;

function statusOf(error: unknown): number | undefined {
  return (error as { $metadata?: { httpStatusCode?: number } } | null)?.$metadata?.httpStatusCode;
}

/** "bytes 0-9/100" (what S3 answers a ranged GET with). */
function parseContentRange(header: string | undefined) {
  const match = header ? /^bytes (\d+)-(\d+)\/(\d+)$/.exec(header) : null;
  if (!match) return null;
  return { start: Number(match[1]), end: Number(match[2]), size: Number(match[3]) };
}

/** The first `length` bytes of `source`; stopping early destroys `source` (its connection). */
async function* take(source: Readable, length: number): AsyncGenerator<Buffer> {
  let left = length;
  for await (const chunk of source as AsyncIterable<Buffer>) {
    if (chunk.length >= left) {
      yield chunk.subarray(0, left);
      return;
    }
    left -= chunk.length;
    yield chunk;
  }
}

/**
 * Objects in one bucket, through plain S3 calls only. S3 has no rename: a blob is put in
 * place by CopyObject, whose target appears only once the copy is complete, and the temp is
 * deleted after. A crash between the two leaves a temp, which sweepTemp removes.
 */
export class S3Backend implements StorageBackend {
  readonly name = "s3";
  readonly maxObjectBytes = MAX_COPY_BYTES;
  readonly #client: S3Client;
  readonly #bucket: string;
  readonly #partSize: number;
  readonly #queueSize: number;
  readonly #listPageSize: number;

  constructor(options: S3BackendOptions) {
    this.#client = options.client;
    this.#bucket = options.bucket;
    this.#partSize = options.partSize ?? 5 * MIB;
    this.#queueSize = options.queueSize ?? 2;
    this.#listPageSize = options.listPageSize ?? 1000;
  }

  async write(key: string, body: Readable): Promise<void> {
    // Small bodies go up in one PutObject, larger ones as a multipart upload; either way the
    // object exists only once complete. On failure lib-storage aborts the multipart upload.
    const upload = new Upload({
      client: this.#client,
      params: { Bucket: this.#bucket, Key: key, Body: body },
      partSize: this.#partSize,
      queueSize: this.#queueSize,
      leavePartsOnError: false,
    });
    await upload.done();
  }

  async move(from: string, to: string): Promise<void> {
    try {
      await this.#client.send(
        new CopyObjectCommand({
          Bucket: this.#bucket,
          Key: to,
          CopySource: `${encodeURIComponent(this.#bucket)}/${from.split("/").map(encodeURIComponent).join("/")}`,
        }),
      );
    } catch (error) {
      if (statusOf(error) === 404) throw new BlobNotFoundError(from);
      throw error;
    }
    await this.remove(from);
  }

  async size(key: string): Promise<number | null> {
    try {
      const head = await this.#client.send(
        new HeadObjectCommand({ Bucket: this.#bucket, Key: key }),
      );
      return head.ContentLength ?? 0;
    } catch (error) {
      if (statusOf(error) === 404) return null;
      throw error;
    }
  }

  async read(key: string, range?: ByteRange): Promise<BlobRead | null> {
    let output: GetObjectCommandOutput;
    try {
      output = await this.#client.send(
        new GetObjectCommand({
          Bucket: this.#bucket,
          Key: key,
          ...(range ? { Range: `bytes=${range.start}-${range.end}` } : {}),
        }),
      );
    } catch (error) {
      const status = statusOf(error);
      if (status === 404) return null;
      if (status === 416 && range) throw new BlobRangeError(range, null);
      throw error;
    }
    const body = output.Body;
    if (!(body instanceof Readable)) throw new Error("the S3 client returned no Node.js stream");
    if (!range) return { body, size: output.ContentLength ?? 0, range: null };

    // What the server served is in Content-Range, its end cut to the object's (as in HTTP).
    // A server may send more than asked (s3rver answers bytes=0-0 with the whole object, as
    // does a server that ignores Range for a start of 0): the body is then cut to the range.
    // One that starts elsewhere would hand out the wrong bytes: refused.
    const served =
      parseContentRange(output.ContentRange) ??
      (range.start === 0 && output.ContentLength !== undefined
        ? { start: 0, end: output.ContentLength - 1, size: output.ContentLength }
        : null);
    if (!served || served.start !== range.start) {
      body.destroy();
      throw new Error(`the S3 server did not honour the range ${range.start}-${range.end}`);
    }
    if (served.start >= served.size) {
      body.destroy();
      throw new BlobRangeError(range, served.size);
    }
    const wanted = fitRange(range, served.size);
    if (served.end < wanted.end) {
      body.destroy();
      throw new Error(`the S3 server sent less than the range ${range.start}-${range.end}`);
    }
    const length = wanted.end - wanted.start + 1;
    return {
      body:
        served.end > wanted.end ? Readable.from(take(body, length), { objectMode: false }) : body,
      size: served.size,
      range: wanted,
    };
  }

  async remove(key: string): Promise<void> {
    // S3 answers 204 for a key that is not there: idempotent as it is.
    await this.#client.send(new DeleteObjectCommand({ Bucket: this.#bucket, Key: key }));
  }

  async *list(prefix: string, options: { modifiedBefore?: Date } = {}): AsyncIterable<string> {
    let token: string | undefined;
    do {
      const page = await this.#client.send(
        new ListObjectsV2Command({
          Bucket: this.#bucket,
          Prefix: prefix,
          MaxKeys: this.#listPageSize,
          ContinuationToken: token,
        }),
      );
      for (const object of page.Contents ?? []) {
        if (!object.Key) continue;
        const { modifiedBefore } = options;
        if (modifiedBefore && !(object.LastModified && object.LastModified < modifiedBefore)) {
          continue;
        }
        yield object.Key;
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  }

  /**
   * Multipart uploads a crash abandoned hold storage without being objects: abort those under
   * `prefix` started before the cut-off. Servers without ListMultipartUploads (501) rely on a
   * bucket lifecycle rule (AbortIncompleteMultipartUpload) instead.
   */
  async sweepIncomplete(prefix: string, olderThan: Date): Promise<number> {
    let aborted = 0;
    let keyMarker: string | undefined;
    let uploadIdMarker: string | undefined;
    do {
      let page;
      try {
        page = await this.#client.send(
          new ListMultipartUploadsCommand({
            Bucket: this.#bucket,
            Prefix: prefix,
            KeyMarker: keyMarker,
            UploadIdMarker: uploadIdMarker,
          }),
        );
      } catch (error) {
        if (statusOf(error) === 501) return aborted;
        throw error;
      }
      for (const upload of page.Uploads ?? []) {
        if (
          !upload.Key ||
          !upload.UploadId ||
          !(upload.Initiated && upload.Initiated < olderThan)
        ) {
          continue;
        }
        await this.#client.send(
          new AbortMultipartUploadCommand({
            Bucket: this.#bucket,
            Key: upload.Key,
            UploadId: upload.UploadId,
          }),
        );
        aborted += 1;
      }
      keyMarker = page.IsTruncated ? page.NextKeyMarker : undefined;
      uploadIdMarker = page.IsTruncated ? page.NextUploadIdMarker : undefined;
    } while (keyMarker);
    return aborted;
  }
}
