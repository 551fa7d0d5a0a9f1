import { monitorEventLoopDelay } from "node:perf_hooks";

import { withTimeout } from "@lifeline/api";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";

import { errorBody } from "../http-errors/error-body";

/** A dependency probe: resolves when the dependency answers, rejects otherwise. */
export type ReadinessCheck = () => Promise<unknown>;

const CHECK_TIMEOUT_MS = 1500;

/** How long one readiness answer is reused: probes from many sources cost one round trip. */
export const READINESS_CACHE_MS = 1000;

interface Readiness {
  ready: boolean;
  checks: Record<string, "ok" | "unavailable">;
  /** This process's own event-loop delay (p99, ms), apart from any dependency's answer. */
  eventLoopDelayMs: number;
}

/**
 * /healthz: the process is alive (touches nothing, so a database outage does not get the
 * process restarted). /readyz: every dependency answers; 503 names the ones that do not,
 * never with the driver's words (those go to the log). The answer is reused for about a
 * second, so a probe storm costs one Postgres and one Redis round trip per second. A busy
 * event loop is reported as such and never makes a dependency look down (see withTimeout).
 */
export function registerHealthRoutes(
  app: FastifyInstance,
  checks: Record<string, ReadinessCheck>,
): void {
  const loopDelay = monitorEventLoopDelay({ resolution: 20 });
  loopDelay.enable();
  app.addHook("onClose", async () => {
    loopDelay.disable();
  });

  let cached: { at: number; readiness: Promise<Readiness> } | undefined;

  async function probe(req: FastifyRequest): Promise<Readiness> {
    const entries = Object.entries(checks);
    const results = await Promise.all(
      entries.map(async ([name, check]) => {
        try {
          await withTimeout(check(), CHECK_TIMEOUT_MS, name);
          return [name, "ok"] as const;
        } catch (error) {
          req.log.warn({ err: error, dependency: name }, "readiness check failed");
          return [name, "unavailable"] as const;
        }
      }),
    );
    const eventLoopDelayMs = Math.round(loopDelay.percentile(99) / 1e6);
    loopDelay.reset();
    return {
      ready: results.every(([, status]) => status === "ok"),
      checks: Object.fromEntries(results),
      eventLoopDelayMs,
    };
  }

  app.get("/healthz", async () => ({ status: "ok" }));

  app.get("/readyz", async (req: FastifyRequest, reply: FastifyReply) => {
    const now = Date.now();
    if (!cached || now - cached.at >= READINESS_CACHE_MS) {
      cached = { at: now, readiness: probe(req) };
    }
    const { ready, checks: report, eventLoopDelayMs } = await cached.readiness;
    if (ready) return { status: "ready", checks: report, eventLoopDelayMs };
    const failed = Object.keys(report).filter((name) => report[name] !== "ok");
    const body = errorBody(req.url, {
      status: 503,
      code: "SERVICE_UNAVAILABLE",
      message: `Not ready: ${failed.join(", ")} unavailable`,
      details: failed.map((name) => ({ path: name, message: "unavailable" })),
      requestId: req.id,
    });
    return reply.status(503).send({ ...body, checks: report, eventLoopDelayMs });
  });
}
