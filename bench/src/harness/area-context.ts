import { randomBytes } from "node:crypto";
import { rm } from "node:fs/promises";
import path from "node:path";

import { createTestDatabase, type TestDatabase } from "@lifeline/db/testing";

import type { AreaContext } from "./area";
import { CleanupStack, rootCleanups } from "./cleanup";
import type { BenchConfig } from "./config";
import { log } from "./log";
import { deleteKeysWithPrefix } from "./redis-keys";
import { spawnServerProcess } from "./server-process";

/** The apps' default, as in packages/env: the bench talks to the same Redis they do. */
const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";

/** One run's Redis key prefix; each area and each server child get their own under it. */
const RUN_REDIS_PREFIX = `lifeline:bench:${randomBytes(4).toString("hex")}:`;

/**
 * The context one area runs in, and `finish`, which undoes everything it started: server
 * children first (their Prisma pools must close before the database is dropped), then the
 * database and the area's Redis keys. A Ctrl-C runs the same cleanups through the root stack.
 */
export async function createAreaContext(
  area: string,
  config: BenchConfig,
): Promise<{ ctx: AreaContext; finish: () => Promise<void> }> {
  const cleanups = new CleanupStack();
  rootCleanups.add(`area ${area}`, () => cleanups.run());
  const logDir = path.join(config.outputDir, "server-logs", area);
  // Fresh each run, so error.log holds this run's server errors only.
  await rm(logDir, { recursive: true, force: true });

  const redisPrefix = `${RUN_REDIS_PREFIX}${area}:`;
  cleanups.add("delete Redis keys", async () => {
    const deleted = await deleteKeysWithPrefix(REDIS_URL, redisPrefix);
    if (deleted > 0) log(`${area}: deleted ${deleted} Redis keys`);
  });

  let database: Promise<TestDatabase> | null = null;
  const databaseUrl = async () => {
    if (!database) {
      log(`${area}: creating a throwaway database`);
      database = createTestDatabase(`bench_${area}`);
      // Registered before any server child, so it runs after they have stopped.
      cleanups.add("drop database", async () => {
        await (await database)?.drop();
      });
    }
    return (await database).url;
  };

  let children = 0;
  const ctx: AreaContext = {
    area,
    config,
    log: (message) => log(`${area}: ${message}`),
    databaseUrl,
    spawnServers: async (set, options) => {
      const url = await databaseUrl();
      log(`${area}: starting servers "${set.id}" (child process)`);
      const servers = await spawnServerProcess(set, options, {
        databaseUrl: url,
        redisKeyPrefix: `${redisPrefix}${++children}:`,
        logDir,
      });
      cleanups.add(`stop servers "${set.id}"`, servers.stop);
      return servers;
    },
    onCleanup: (label, run) => cleanups.add(label, run),
    outputPath: (kind, file) => path.join(config.outputDir, kind, area, file),
  };
  return { ctx, finish: () => cleanups.run() };
}
