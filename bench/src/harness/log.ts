/** Progress lines go to stderr, so stdout carries the report alone. */
export function log(message: string): void {
  process.stderr.write(`[bench] ${message}\n`);
}
