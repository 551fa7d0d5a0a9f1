import type { Heartbeat } from "@lifeline/queue";

import type { ReadinessCheck } from "../routes/health";

/**
 * Is anything working the queues? Counts the jobs processes whose heartbeat is live and the
 * queues they cover. None is "no workers": queued work waits, but this API instance can
 * still serve, so it degrades /readyz rather than failing it (a 503 would take every API
 * instance out of the load balancer over a jobs outage). Never rejects: when Redis is down
 * the redis check fails readiness and says so; here it is just "unavailable".
 */
export function jobsCheck(
  readHeartbeats: () => Promise<Heartbeat[]>,
  queueNames: readonly string[],
): ReadinessCheck {
  return async () => {
    let heartbeats: Heartbeat[];
    try {
      heartbeats = await readHeartbeats();
    } catch {
      return { status: "unavailable", details: { processes: 0, queues: [] } };
    }
    const queues = [...new Set(heartbeats.flatMap((h) => h.queues))].sort();
    const details = { processes: heartbeats.length, queues };
    if (heartbeats.length === 0) return { status: "no workers", details };
    const uncovered = queueNames.filter((name) => !queues.includes(name));
    return {
      status: "ok",
      details,
      warnings: uncovered.length
        ? [`no jobs process works on the ${uncovered.join(", ")} queue(s)`]
        : [],
    };
  };
}
