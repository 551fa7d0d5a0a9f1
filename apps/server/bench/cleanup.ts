/**
 * Runs registered cleanups exactly once, newest first, whether the run ends normally, throws,
 * or is interrupted (Ctrl-C / SIGTERM). The throwaway database and the server child must not
 * outlive a benchmark that was stopped halfway.
 */
type Cleanup = { label: string; run: () => Promise<void> | void };

const cleanups: Cleanup[] = [];
let running: Promise<void> | null = null;

export function onCleanup(label: string, run: Cleanup["run"]): void {
  cleanups.push({ label, run });
}

export function runCleanups(): Promise<void> {
  running ??= (async () => {
    for (const { label, run } of cleanups.reverse()) {
      try {
        await run();
      } catch (error) {
        // Keep going: one failed cleanup must not leave the others undone.
        process.stderr.write(`cleanup "${label}" failed: ${String(error)}\n`);
      }
    }
  })();
  return running;
}

/** Signals end the run through the same cleanups; a second Ctrl-C exits at once. */
export function installSignalHandlers(): void {
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.on(signal, () => {
      if (running) process.exit(130);
      process.stderr.write(`\n${signal}: cleaning up…\n`);
      void runCleanups().finally(() => process.exit(130));
    });
  }
}
