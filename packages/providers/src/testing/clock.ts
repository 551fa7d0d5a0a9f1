/** The emulators' time: real by default, movable in tests (code expiry, the 24 h rule). */
export interface Clock {
  now(): number;
  date(): Date;
  advance(ms: number): void;
  set(at: Date | number): void;
}

/**
 * Without `start`, the real time (plus any `advance`). With `start`, a frozen clock that
 * moves only when told, so tests can assert exact instants.
 */
export function createClock(start?: Date | number): Clock {
  const frozen = start !== undefined;
  let base = frozen ? Number(start) : 0;
  const now = () => (frozen ? base : Date.now() + base);
  return {
    now,
    date: () => new Date(now()),
    advance: (ms) => {
      base += ms;
    },
    set: (at) => {
      base = frozen ? Number(at) : Number(at) - Date.now();
    },
  };
}
