/** A dependency that did not answer in time; handled like any other failure of it. */
export class RedisTimeoutError extends Error {
  override name = "RedisTimeoutError";
}

/**
 * Settles with `promise`, or rejects after `ms`. Every limiter, lockout and readiness call
 * goes through this, so a dead or stalled dependency cannot hang a request.
 *
 * The timeout must measure the dependency, not this process: if the event loop was busy
 * (a burst of work, a long GC), the answer may have arrived and be sitting unread in the
 * socket when the timer fires, because timers run before I/O in each turn of the loop.
 * So a fired timer first lets one round of I/O run, and only then calls it a timeout.
 */
export async function withTimeout<T>(
  promise: Promise<T>,
  ms: number,
  what: string,
  makeError: (message: string) => Error = (message) => new RedisTimeoutError(message),
): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  let immediate: NodeJS.Immediate | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => {
      immediate = setImmediate(() => {
        reject(makeError(`${what} did not answer within ${ms} ms`));
      });
    }, ms);
  });
  try {
    // Promise.race subscribes to both, so a late rejection of `promise` is not unhandled.
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
    if (immediate) clearImmediate(immediate);
  }
}
