import { readFileSync, writeFileSync } from "node:fs";

/** Another process's memory, from Linux's /proc (bytes). */
interface ProcMemory {
  rss: number;
  hwm: number;
}

function procMemory(pid: number): ProcMemory {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = (field: string) =>
    Number(new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(status)?.[1]);
  return { rss: kb("VmRSS") * 1024, hwm: kb("VmHWM") * 1024 };
}

/**
 * Watches another process's resident memory: resets its high-water mark (VmHWM, via
 * /proc/<pid>/clear_refs) so the kernel records the exact peak from now on, and samples VmRSS
 * every few ms as well (in case the reset is not allowed).
 */
export function watchRss(pid: number, intervalMs = 5) {
  let hwmReset = true;
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, "5");
  } catch {
    hwmReset = false;
  }
  const before = procMemory(pid).rss;
  let peak = before;
  let samples = 0;
  const timer = setInterval(() => {
    peak = Math.max(peak, procMemory(pid).rss);
    samples += 1;
  }, intervalMs);
  return () => {
    clearInterval(timer);
    const end = procMemory(pid);
    const sampledPeak = Math.max(peak, end.rss);
    const exactPeak = hwmReset ? Math.max(end.hwm, sampledPeak) : sampledPeak;
    return { before, peak: exactPeak, growth: exactPeak - before, hwmReset, samples };
  };
}
