import type { ProbeResult } from "./latency-probe";

/** HTTP answers by kind; `noAnswer` counts requests that got none (error, timeout). */
export interface AnswerCounts {
  total: number;
  ok: number;
  /** Every 5xx, 503 included. */
  serverErrors: number;
  /** 503: a server shedding load on purpose (a full queue), with Retry-After. */
  unavailable: number;
  /** Non-2xx below 500 (a 4xx means the benchmark itself is wrong: bad credentials, a limit). */
  otherNon2xx: number;
  noAnswer: number;
}

/** Counts statuses; null stands for a request that got no answer. */
export function countAnswers(statuses: Array<number | null>): AnswerCounts {
  const count = (test: (s: number) => boolean) =>
    statuses.filter((s) => s !== null && test(s)).length;
  return {
    total: statuses.length,
    ok: count((s) => s >= 200 && s < 300),
    serverErrors: count((s) => s >= 500),
    unavailable: count((s) => s === 503),
    otherNon2xx: count((s) => (s < 200 || s >= 300) && s < 500),
    noAnswer: statuses.filter((s) => s === null).length,
  };
}

/** A probe's answers as statuses, for countAnswers. */
export function probeStatuses(probe: ProbeResult): Array<number | null> {
  return [
    ...probe.samplesMs.map(() => 200),
    ...Object.entries(probe.non2xx).flatMap(([status, n]) => Array<number>(n).fill(Number(status))),
    ...Array<null>(probe.errors).fill(null),
  ];
}

/** Answers that make a run fail: all but 2xx and 503 (which is reported against a target). */
export function failedAnswers(counts: AnswerCounts): number {
  return counts.serverErrors - counts.unavailable + counts.otherNon2xx + counts.noAnswer;
}
