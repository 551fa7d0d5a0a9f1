import type { Logger } from "@lifeline/logger";
import { installGracefulShutdown, type ShutdownStep } from "@lifeline/process";

import type { JobsApp } from "./jobs-app";

/**
 * SIGTERM and SIGINT stop the jobs app, and are handled from before it starts: the app's
 * workers take jobs as soon as they exist, so a signal during start-up must not be Node's
 * default (an abrupt exit that leaves running jobs to the stalled-job check). It waits for
 * the start to finish, then stops the app as any other shutdown would.
 */
export function stopOnSignal(options: {
  logger: Logger;
  starting: Promise<JobsApp>;
  /** Running jobs get JOBS_SHUTDOWN_TIMEOUT_MS, then a few seconds to give way. */
  shutdownTimeoutMs: number;
}): void {
  const steps: ShutdownStep[] = [
    {
      name: "start-up",
      close: async () => {
        await options.starting;
      },
    },
  ];
  // Registered before any signal can arrive, so the app's steps are in the list by the time
  // the "start-up" step above returns and the shutdown moves on to the next step.
  options.starting.then(
    (app) => steps.push(...app.shutdownSteps),
    () => undefined,
  );
  installGracefulShutdown({
    logger: options.logger,
    timeoutMs: options.shutdownTimeoutMs + 15_000,
    steps,
  });
}
