/** A Redis call that did not answer in time; handled like any other Redis failure. */
export class RedisTimeoutError extends Error {
  override name = "RedisTimeoutError";
}

/**
 * Settles with `promise`, or rejects after `ms`. Every limiter and lockout call goes through
 * this so that a dead or stalled Redis cannot hang a request, whatever the ioredis client's
 * own options (offline queue, commandTimeout) happen to be.
 */
export async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => {
      reject(new RedisTimeoutError(`${what} did not answer within ${ms} ms`));
    }, ms);
  });
  try {
    // Promise.race subscribes to both, so a late rejection of `promise` is not unhandled.
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
