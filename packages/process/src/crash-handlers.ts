import type { Logger } from "@lifeline/logger";

/**
 * Last-resort handlers: whatever escaped is logged (error.log gets it with its stack), then
 * the process exits 1, since its state is unknown. The exit code is set first, so even if
 * the event loop drains before the flush calls back, the process does not report success.
 */
export function installCrashHandlers(logger: Logger): void {
  const crash = (kind: string, error: unknown) => {
    process.exitCode = 1;
    logger.fatal({ err: error }, kind);
    const exit = () => process.exit(1);
    try {
      logger.flush(exit);
    } catch {
      // An async destination still opening cannot flush yet; the timer below waits for it.
    }
    // Keeps the process alive long enough for buffered lines to land, then leaves anyway.
    setTimeout(exit, 1000);
  };
  process.on("unhandledRejection", (reason) => {
    crash("unhandledRejection", reason);
  });
  process.on("uncaughtException", (error) => {
    crash("uncaughtException", error);
  });
}
