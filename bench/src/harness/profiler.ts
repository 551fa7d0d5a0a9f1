import { mkdir, writeFile } from "node:fs/promises";
import { Session } from "node:inspector/promises";
import path from "node:path";

/**
 * V8 CPU profiles of the server process, started and stopped around one measured run, so a
 * profile shows that target's steady state only (no startup, no warm-up, no other target).
 * Open the .cpuprofile in Chrome DevTools, or summarise it in a terminal with
 * `pnpm --filter @lifeline/bench profile-summary <file>`.
 */
export function createProfiler(): {
  start: () => Promise<void>;
  stop: (file: string) => Promise<void>;
} {
  let session: Session | null = null;
  return {
    async start() {
      session = new Session();
      session.connect();
      await session.post("Profiler.enable");
      // 100 µs rather than V8's 1 ms default: requests here take tens of µs to a few ms.
      await session.post("Profiler.setSamplingInterval", { interval: 100 });
      await session.post("Profiler.start");
    },
    async stop(file) {
      if (!session) throw new Error("profiler was not started");
      const { profile } = await session.post("Profiler.stop");
      session.disconnect();
      session = null;
      await mkdir(path.dirname(file), { recursive: true });
      await writeFile(file, JSON.stringify(profile));
    },
  };
}
