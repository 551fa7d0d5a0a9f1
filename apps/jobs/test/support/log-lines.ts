import { existsSync, readFileSync } from "node:fs";
import path from "node:path";

import type { Logger } from "@lifeline/logger";

export interface LogLine {
  level: string;
  msg: string;
  [field: string]: unknown;
}

/** The JSON lines of `<logDir>/<file>` (combined.log: everything; error.log: errors only). */
export function readLogLines(logDir: string, file = "combined.log"): LogLine[] {
  const full = path.join(logDir, file);
  if (!existsSync(full)) return [];
  return readFileSync(full, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line) as LogLine);
}

/** Waits until the logger's buffered lines are on disk. */
export async function flushLogger(logger: Logger): Promise<void> {
  await new Promise<void>((resolve) => {
    logger.flush(() => {
      resolve();
    });
  });
  // combined.log is written asynchronously by pino's destination after the flush callback.
  await new Promise((resolve) => setTimeout(resolve, 50));
}
