import type { FastifyInstance } from "fastify";

import { errorBody } from "../http-errors/error-body";

/** A dependency probe: resolves when the dependency answers, rejects otherwise. */
export type ReadinessCheck = () => Promise<unknown>;

const CHECK_TIMEOUT_MS = 1500;

async function run(check: ReadinessCheck): Promise<string> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      check(),
      new Promise((_, reject) => {
        timer = setTimeout(() => {
          reject(new Error(`no answer within ${CHECK_TIMEOUT_MS} ms`));
        }, CHECK_TIMEOUT_MS);
      }),
    ]);
    return "ok";
  } catch (error) {
    return `error: ${error instanceof Error ? error.message : String(error)}`;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * /healthz: the process is alive (touches nothing, so a database outage does not get the
 * process restarted). /readyz: every dependency answers; 503 names the ones that do not.
 */
export function registerHealthRoutes(
  app: FastifyInstance,
  checks: Record<string, ReadinessCheck>,
): void {
  app.get("/healthz", async () => ({ status: "ok" }));

  app.get("/readyz", async (req, reply) => {
    const entries = Object.entries(checks);
    const results = await Promise.all(entries.map(([, check]) => run(check)));
    const report = Object.fromEntries(entries.map(([name], i) => [name, results[i] ?? ""]));
    const failed = entries.map(([name]) => name).filter((name) => report[name] !== "ok");
    if (failed.length === 0) return { status: "ready", checks: report };
    req.log.warn({ failed, checks: report }, "not ready");
    const body = errorBody(req.url, {
      status: 503,
      code: "SERVICE_UNAVAILABLE",
      message: `Not ready: ${failed.join(", ")} unavailable`,
      details: failed.map((name) => ({ path: name, message: report[name] ?? "" })),
      requestId: req.id,
    });
    return reply.status(503).send({ ...body, checks: report });
  });
}
