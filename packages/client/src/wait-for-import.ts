import { lifelineErrorCode } from "./errors";
import type { LifelineClient, RouterOutputs } from "./types";

/** One import run, as imports.get answers. */
export type ImportRun = RouterOutputs["imports"]["get"]["run"];

export interface WaitForImportOptions {
  /** First wait between two polls (default 1 s); it doubles up to `maxIntervalMs`. */
  intervalMs?: number;
  /** Longest wait between two polls (default 10 s). */
  maxIntervalMs?: number;
  /** Give up after this long (default: never); rejects with ImportWaitTimeoutError. */
  timeoutMs?: number;
  /** Stops waiting (rejects with the signal's reason). */
  signal?: AbortSignal;
  /** Every poll's run, e.g. for a progress bar. */
  onProgress?: (run: ImportRun) => void;
}

/** The run did not settle within `timeoutMs`; `run` is the last one seen. */
export class ImportWaitTimeoutError extends Error {
  override name = "ImportWaitTimeoutError";
  constructor(readonly run: ImportRun | null) {
    super("The import did not finish in time");
  }
}

/** Failures that a later poll may not meet: the server or the network was briefly away. */
const TRANSIENT = new Set(["SERVICE_UNAVAILABLE", "TOO_MANY_REQUESTS", "TIMEOUT"]);

function isTransient(error: unknown): boolean {
  const code = lifelineErrorCode(error);
  if (code !== null) return TRANSIENT.has(code);
  // No tRPC error at all: the request never got an answer (offline, connection reset).
  return error instanceof TypeError;
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason instanceof Error ? signal.reason : new Error("aborted"));
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason instanceof Error ? signal.reason : new Error("aborted"));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/**
 * Polls imports.get until the run is completed or failed, and resolves to that run (a
 * failed run resolves too: its `error` says why). Waits grow from `intervalMs` to
 * `maxIntervalMs`; a transient failure (503, 429, no connection) is polled through; any
 * other error (NOT_FOUND, a signed-out session) rejects at once.
 */
export async function waitForImport(
  client: LifelineClient,
  runId: string,
  options: WaitForImportOptions = {},
): Promise<ImportRun> {
  const maxInterval = options.maxIntervalMs ?? 10_000;
  let interval = Math.min(options.intervalMs ?? 1000, maxInterval);
  const deadline = options.timeoutMs === undefined ? null : Date.now() + options.timeoutMs;
  let last: ImportRun | null = null;
  for (;;) {
    options.signal?.throwIfAborted();
    try {
      const { run } = await client.imports.get.query({ id: runId }, { signal: options.signal });
      last = run;
      options.onProgress?.(run);
      if (run.status === "completed" || run.status === "failed") return run;
    } catch (error) {
      if (options.signal?.aborted || !isTransient(error)) throw error;
    }
    if (deadline !== null && Date.now() + interval > deadline) {
      throw new ImportWaitTimeoutError(last);
    }
    await sleep(interval, options.signal);
    interval = Math.min(interval * 2, maxInterval);
  }
}
