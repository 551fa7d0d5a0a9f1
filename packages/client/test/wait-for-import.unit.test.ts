import { describe, expect, it } from "vitest";

import {
  createLifelineClient,
  ImportWaitTimeoutError,
  lifelineErrorCode,
  memoryTokenStore,
  waitForImport,
  type ImportRun,
} from "../src";
import { ok, refused, scriptedServer, type Reply } from "./support/fake-fetch";

const RUN_ID = "0b8f7c3e-2d4a-4f6b-9c1e-8a7d5e3f2b10";

function run(status: ImportRun["status"], pending: number): ImportRun {
  return {
    id: RUN_ID,
    linkedAccountId: "7c9e6679-7425-40de-944b-e07fc1f90ae7",
    provider: "instagram",
    trigger: "manual",
    status,
    counts: { seen: 10, new: 10, existing: 0, skipped: 0, failed: 0, pending },
    progress: {
      pagesDone: 1,
      listingDone: true,
      itemsDone: 10 - pending,
      percent: 100 - pending * 10,
    },
    errors: [],
    error: status === "failed" ? { code: "needs_relink", message: "link again" } : null,
    createdAt: "2025-02-02T18:03:58.000Z",
    startedAt: "2025-02-02T18:03:59.000Z",
    finishedAt: status === "completed" || status === "failed" ? "2025-02-02T18:04:30.000Z" : null,
    durationMs: 1000,
  };
}

function clientFor(replies: Reply[]) {
  const queue = [...replies];
  const server = scriptedServer(() => {
    const next = queue.shift();
    if (!next) throw new Error("polled more often than scripted");
    return next;
  });
  const client = createLifelineClient({
    url: "http://api.test",
    tokens: memoryTokenStore({ accessToken: "a", refreshToken: "r" }),
    fetch: server.fetch,
    batch: false,
  });
  return { client, server };
}

describe("waitForImport", () => {
  it("polls imports.get until the run completes, reporting each poll", async () => {
    const { client, server } = clientFor([
      ok({ run: run("queued", 10) }),
      ok({ run: run("running", 4) }),
      ok({ run: run("completed", 0) }),
    ]);
    const seen: string[] = [];
    const final = await waitForImport(client, RUN_ID, {
      intervalMs: 1,
      onProgress: (r) => seen.push(`${r.status}:${r.counts.pending}`),
    });
    expect(final.status).toBe("completed");
    expect(seen).toEqual(["queued:10", "running:4", "completed:0"]);
    expect(server.count("imports.get")).toBe(3);
  });

  it("resolves to a failed run too (its error says why)", async () => {
    const { client } = clientFor([ok({ run: run("failed", 3) })]);
    const final = await waitForImport(client, RUN_ID, { intervalMs: 1 });
    expect(final.error).toEqual({ code: "needs_relink", message: "link again" });
  });

  it("polls through a 429 but rejects at once on anything else", async () => {
    const throttled = clientFor([refused("TOO_MANY_REQUESTS"), ok({ run: run("completed", 0) })]);
    expect((await waitForImport(throttled.client, RUN_ID, { intervalMs: 1 })).status).toBe(
      "completed",
    );
    const refusedOnce = clientFor([refused("FORBIDDEN")]);
    const error = await waitForImport(refusedOnce.client, RUN_ID, { intervalMs: 1 }).catch(
      (e: unknown) => e,
    );
    expect(lifelineErrorCode(error)).toBe("FORBIDDEN");
  });

  it("gives up after timeoutMs with the last run seen, and stops on abort", async () => {
    const slow = clientFor(Array.from({ length: 20 }, () => ok({ run: run("running", 5) })));
    const error = await waitForImport(slow.client, RUN_ID, { intervalMs: 5, timeoutMs: 20 }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ImportWaitTimeoutError);
    expect((error as ImportWaitTimeoutError).run?.counts.pending).toBe(5);

    const controller = new AbortController();
    const aborted = clientFor(Array.from({ length: 20 }, () => ok({ run: run("running", 5) })));
    const waiting = waitForImport(aborted.client, RUN_ID, {
      intervalMs: 50,
      signal: controller.signal,
    });
    controller.abort(new Error("stop"));
    await expect(waiting).rejects.toThrow();
  });
});
