import type { Logger } from "@lifeline/logger";

/** One thing to stop on shutdown, in order: stop taking work first, release resources last. */
export interface ShutdownStep {
  name: string;
  close: () => Promise<void>;
}

export interface ShutdownOptions {
  logger: Logger;
  /** The whole shutdown must finish within this; past it, the process exits 1. */
  timeoutMs: number;
  steps: ShutdownStep[];
  /** For tests: what ends the process (default `process.exit`). */
  exit?: (code: number) => void;
}

/**
 * SIGTERM and SIGINT stop the process the same way in both apps: each step in order, each
 * awaited, the whole within a deadline; then the logs are flushed and the process exits 0,
 * or 1 if a step failed or the deadline passed. A second signal while stopping is ignored
 * (the first one's deadline still holds). Returns the shutdown, for callers that decide to
 * stop on their own (a fatal start-up error: pass exit code 1).
 */
export function installGracefulShutdown(
  options: ShutdownOptions,
): (reason: string, exitCode?: number) => Promise<void> {
  const exit = options.exit ?? ((code: number) => process.exit(code));
  let stopping: Promise<void> | null = null;

  const finish = (code: number) => {
    options.logger.flush(() => {
      exit(code);
    });
  };

  async function run(reason: string, exitCode: number): Promise<void> {
    const { logger } = options;
    logger.info({ reason }, "shutting down");
    const deadline = setTimeout(() => {
      logger.error({ timeoutMs: options.timeoutMs }, "shutdown took too long; exiting");
      finish(1);
    }, options.timeoutMs);
    deadline.unref();
    let failed = false;
    for (const step of options.steps) {
      try {
        await step.close();
        logger.debug({ step: step.name }, "stopped");
      } catch (error) {
        failed = true;
        logger.error({ err: error, step: step.name }, "shutdown step failed");
      }
    }
    clearTimeout(deadline);
    logger.info("shutdown complete");
    finish(failed ? 1 : exitCode);
  }

  const shutdown = (reason: string, exitCode = 0) => (stopping ??= run(reason, exitCode));
  // `on`, not `once`: a second signal must find a handler, or Node's default would kill the
  // process in the middle of stopping.
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
  process.on("SIGINT", () => void shutdown("SIGINT"));
  return shutdown;
}
