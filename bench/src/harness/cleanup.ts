/**
 * Cleanups that run exactly once, newest first, whether the run ends normally, throws, or is
 * interrupted (Ctrl-C / SIGTERM): a throwaway database, a server child or Redis keys must not
 * outlive a benchmark that was stopped halfway. Each area gets a stack of its own, emptied when
 * the area ends; the run's root stack holds the areas' so a signal reaches them all.
 */
type Task = { label: string; run: () => unknown };

export class CleanupStack {
  private readonly tasks: Task[] = [];

  add(label: string, run: Task["run"]): void {
    this.tasks.push({ label, run });
  }

  /** Runs and forgets every task; one failing does not stop the others. */
  async run(): Promise<void> {
    for (let task = this.tasks.pop(); task; task = this.tasks.pop()) {
      try {
        await task.run();
      } catch (error) {
        process.stderr.write(`[bench] cleanup "${task.label}" failed: ${String(error)}\n`);
      }
    }
  }
}

export const rootCleanups = new CleanupStack();

let finishing: Promise<void> | null = null;

/** Runs the root stack once, however many times it is asked (end of run, signal, error). */
export function runRootCleanups(): Promise<void> {
  finishing ??= rootCleanups.run();
  return finishing;
}

/** Signals end the run through the same cleanups; a second Ctrl-C exits at once. */
export function installSignalHandlers(): void {
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.on(signal, () => {
      if (finishing) process.exit(130);
      process.stderr.write(`\n[bench] ${signal}: cleaning up…\n`);
      void runRootCleanups().finally(() => process.exit(130));
    });
  }
}
