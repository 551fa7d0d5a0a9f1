import { Transform } from "node:stream";

const MIB = 1024 * 1024;

export function formatBytes(bytes: number): string {
  if (bytes >= 1024 * MIB) return `${(bytes / 1024 / MIB).toFixed(2)} GiB`;
  if (bytes >= MIB) return `${(bytes / MIB).toFixed(1)} MiB`;
  return `${(bytes / 1024).toFixed(1)} KiB`;
}

/** A pass-through that reports the bytes through it every couple of seconds (a terminal's progress). */
export function byteProgress(
  label: string,
  report: ((line: string) => void) | undefined,
): Transform {
  let bytes = 0;
  let last = Date.now();
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      bytes += chunk.length;
      if (report && Date.now() - last >= 2000) {
        last = Date.now();
        report(`${label}: ${formatBytes(bytes)}`);
      }
      done(null, chunk);
    },
  });
}

/** Reports "n of total" at most every couple of seconds. */
export function countProgress(label: string, report: ((line: string) => void) | undefined) {
  let last = Date.now();
  return (done: number, detail = "") => {
    if (!report || Date.now() - last < 2000) return;
    last = Date.now();
    report(`${label}: ${done}${detail ? ` (${detail})` : ""}`);
  };
}
