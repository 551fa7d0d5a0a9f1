import { mkdir, open, opendir, rename, rm, stat, type FileHandle } from "node:fs/promises";
import path from "node:path";
import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";

import type { StorageBackend } from "../backend";
import type { BlobRead, ByteRange } from "../blob-storage";
import { BlobNotFoundError } from "../errors";
import { fitRange } from "../ranges";

function isMissing(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  return code === "ENOENT" || code === "ENOTDIR";
}

/** fsync a directory: a rename or a new entry is on disk only once its directory is. */
async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, "r");
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Objects as files under one directory (MEDIA_DIR): the key's segments are the path. Temps
 * and blobs share the directory, hence the filesystem, so a rename moves a blob into place
 * atomically: a crash leaves the old name, or the whole new file, never part of one.
 */
export class LocalBackend implements StorageBackend {
  readonly name = "local";
  readonly maxObjectBytes = Number.MAX_SAFE_INTEGER;

  constructor(readonly root: string) {
    if (!path.isAbsolute(root)) throw new TypeError("the media directory must be an absolute path");
  }

  #path(key: string): string {
    return path.join(this.root, ...key.split("/"));
  }

  async write(key: string, body: Readable): Promise<void> {
    const file = this.#path(key);
    await mkdir(path.dirname(file), { recursive: true });
    // "wx": a fresh file or an error, never someone else's. `flush` fsyncs before close, so
    // the bytes are on disk before the file can be renamed to a real name.
    const handle = await open(file, "wx");
    await pipeline(body, handle.createWriteStream({ flush: true }));
  }

  async move(from: string, to: string): Promise<void> {
    const target = this.#path(to);
    const dir = path.dirname(target);
    const created = await mkdir(dir, { recursive: true });
    try {
      await rename(this.#path(from), target);
    } catch (error) {
      if (isMissing(error)) throw new BlobNotFoundError(from);
      throw error;
    }
    // The new name must survive a power cut: fsync its directory and, when the fan-out
    // directories were just made, each of them and the one that holds the first.
    const toSync = [dir];
    if (created !== undefined) {
      for (let d = dir; d !== path.dirname(created); d = path.dirname(d)) {
        if (d !== dir) toSync.push(d);
      }
      toSync.push(path.dirname(created));
    }
    for (const d of toSync) await syncDirectory(d);
  }

  async size(key: string): Promise<number | null> {
    try {
      const stats = await stat(this.#path(key));
      return stats.isFile() ? stats.size : null;
    } catch (error) {
      if (isMissing(error)) return null;
      throw error;
    }
  }

  async read(key: string, range?: ByteRange): Promise<BlobRead | null> {
    let handle: FileHandle;
    try {
      handle = await open(this.#path(key), "r");
    } catch (error) {
      if (isMissing(error)) return null;
      throw error;
    }
    try {
      // Size from the open file, not the name: a concurrent delete cannot split the two.
      const stats = await handle.stat();
      if (!stats.isFile()) {
        await handle.close();
        return null;
      }
      const fitted = range ? fitRange(range, stats.size) : null;
      // The stream closes the handle when it ends or is destroyed.
      const body = handle.createReadStream(fitted ? { start: fitted.start, end: fitted.end } : {});
      return { body, size: stats.size, range: fitted };
    } catch (error) {
      await handle.close();
      throw error;
    }
  }

  async remove(key: string): Promise<void> {
    await rm(this.#path(key), { force: true });
  }

  async *list(prefix: string, options: { modifiedBefore?: Date } = {}): AsyncIterable<string> {
    yield* this.#walk(this.#path(prefix.replace(/\/$/, "")), prefix, options.modifiedBefore);
  }

  async *#walk(dir: string, keyPrefix: string, modifiedBefore?: Date): AsyncIterable<string> {
    let entries;
    try {
      entries = await opendir(dir);
    } catch (error) {
      if (isMissing(error)) return;
      throw error;
    }
    for await (const entry of entries) {
      const key = keyPrefix + entry.name;
      if (entry.isDirectory()) {
        yield* this.#walk(path.join(dir, entry.name), `${key}/`, modifiedBefore);
      } else if (entry.isFile()) {
        if (
          modifiedBefore &&
          !(await this.#modifiedBefore(path.join(dir, entry.name), modifiedBefore))
        ) {
          continue;
        }
        yield key;
      }
    }
  }

  async #modifiedBefore(file: string, cutoff: Date): Promise<boolean> {
    try {
      return (await stat(file)).mtime < cutoff;
    } catch (error) {
      if (isMissing(error)) return false; // removed meanwhile (committed, discarded)
      throw error;
    }
  }
}
