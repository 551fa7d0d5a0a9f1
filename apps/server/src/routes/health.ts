import { monitorEventLoopDelay } from "node:perf_hooks";

import { withTimeout } from "@lifeline/api";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";

import { errorBody } from "../http-errors/error-body";

/**
 * What a check may say beyond "it answered": a status shown in `checks` (anything but "ok"
 * makes the answer "degraded", still 200), facts shown under the check's own name in the
 * body, and warnings for the operator. Everything in it is built by the check itself,
 * never a driver's words.
 */
export interface CheckReport {
  status: string;
  details?: Record<string, unknown>;
  warnings?: string[];
}

/**
 * A dependency probe. Rejecting means the dependency does not answer: the instance is not
 * ready (503). Resolving with a report can only degrade the answer: the instance still
 * serves requests (e.g. no jobs process is running: queued work waits, the API works).
 */
export type ReadinessCheck = (() => Promise<void>) | (() => Promise<CheckReport>);

const OK: CheckReport = { status: "ok" };

/** The check's report; one that only answers reports "ok". */
async function run(check: ReadinessCheck): Promise<CheckReport> {
  const report = await check();
  return report ?? OK;
}

const CHECK_TIMEOUT_MS = 1500;

/** How long one readiness answer is reused: probes from many sources cost one round trip. */
export const READINESS_CACHE_MS = 1000;

/** Top-level fields of the body; a check's details sit beside them under its name. */
const RESERVED = new Set(["status", "checks", "warnings", "eventLoopDelayMs", "error"]);

interface Readiness {
  /** Checks that did not answer: any makes the instance not ready. */
  failed: string[];
  degraded: boolean;
  checks: Record<string, string>;
  details: Record<string, Record<string, unknown>>;
  warnings: string[];
  /** This process's own event-loop delay (p99, ms), apart from any dependency's answer. */
  eventLoopDelayMs: number;
}

/**
 * /healthz: the process is alive (touches nothing, so a database outage does not get the
 * process restarted). /readyz: every dependency answers; 503 names the ones that do not,
 * never with the driver's words (those go to the log); a check that answers but reports a
 * problem (no jobs process) makes it 200 "degraded", since this instance can still serve.
 * The answer is reused for about a second, so a probe storm costs one round of checks per
 * second. A busy event loop is reported as such and never makes a dependency look down
 * (see withTimeout).
 */
export function registerHealthRoutes(
  app: FastifyInstance,
  checks: Record<string, ReadinessCheck>,
): void {
  const clash = Object.keys(checks).find((name) => RESERVED.has(name));
  if (clash) throw new Error(`readiness check name "${clash}" is a field of the /readyz body`);

  const loopDelay = monitorEventLoopDelay({ resolution: 20 });
  loopDelay.enable();
  app.addHook("onClose", async () => {
    loopDelay.disable();
  });

  let cached: { at: number; readiness: Promise<Readiness> } | undefined;

  async function probe(req: FastifyRequest): Promise<Readiness> {
    const results = await Promise.all(
      Object.entries(checks).map(async ([name, check]) => {
        try {
          const report = await withTimeout(run(check), CHECK_TIMEOUT_MS, name);
          return { name, answered: true, report };
        } catch (error) {
          req.log.warn({ err: error, dependency: name }, "readiness check failed");
          const report: CheckReport = { status: "unavailable" };
          return { name, answered: false, report };
        }
      }),
    );
    const eventLoopDelayMs = Math.round(loopDelay.percentile(99) / 1e6);
    loopDelay.reset();
    return {
      failed: results.filter((r) => !r.answered).map((r) => r.name),
      degraded: results.some((r) => r.report.status !== "ok"),
      checks: Object.fromEntries(results.map((r) => [r.name, r.report.status])),
      details: Object.fromEntries(
        results.flatMap((r) => (r.report.details ? [[r.name, r.report.details]] : [])),
      ),
      warnings: results.flatMap((r) => r.report.warnings ?? []),
      eventLoopDelayMs,
    };
  }

  app.get("/healthz", async () => ({ status: "ok" }));

  app.get("/readyz", async (req: FastifyRequest, reply: FastifyReply) => {
    const now = Date.now();
    if (!cached || now - cached.at >= READINESS_CACHE_MS) {
      cached = { at: now, readiness: probe(req) };
    }
    const {
      failed,
      degraded,
      checks: report,
      details,
      warnings,
      eventLoopDelayMs,
    } = await cached.readiness;
    const facts = { checks: report, ...details, warnings, eventLoopDelayMs };
    if (failed.length === 0) return { status: degraded ? "degraded" : "ready", ...facts };
    const body = errorBody(req.url, {
      status: 503,
      code: "SERVICE_UNAVAILABLE",
      message: `Not ready: ${failed.join(", ")} unavailable`,
      details: failed.map((name) => ({ path: name, message: "unavailable" })),
      requestId: req.id,
    });
    return reply.status(503).send({ ...body, ...facts });
  });
}
