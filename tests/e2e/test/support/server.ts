// For `inject("databaseUrl")`'s type: the global setup declares what it provides.
import type {} from "@lifeline/vitest-config/global-setup";
import { startTestServer, type TestServer } from "@lifeline/server/testing";
import { inject } from "vitest";

/** The real server on this run's database, listening on a random port. */
export function startServer(env: Record<string, string> = {}): Promise<TestServer> {
  return startTestServer({
    databaseUrl: inject("databaseUrl"),
    listen: true,
    env: {
      // Keys under this run's prefix, so teardown removes them and runs never collide.
      REDIS_KEY_PREFIX: inject("redisKeyPrefix"),
      // These tests sign in far more often than a person would; limits are tested elsewhere.
      RATE_LIMIT_ENABLED: "false",
      ...env,
    },
  });
}

function urlOf(input: string | URL | Request): string {
  if (typeof input === "string") return input;
  return input instanceof URL ? input.href : input.url;
}

/** The `data.reason` of every error in a tRPC response body (one call or a batch). */
function reasonsIn(body: unknown): string[] {
  return (Array.isArray(body) ? body : [body]).flatMap((item: unknown) => {
    if (typeof item !== "object" || item === null || !("error" in item)) return [];
    const { error } = item as { error: { data?: { reason?: unknown } } };
    return typeof error.data?.reason === "string" ? [error.data.reason] : [];
  });
}

/**
 * Global fetch, recording every request URL and the reasons of the errors it got back.
 * tRPC puts procedure names in the path (`/trpc/auth.refresh`, or
 * `/trpc/auth.me,auth.me?batch=1` when batched), so counting URLs that name a procedure
 * counts the HTTP requests that carried it.
 */
export function recordingFetch() {
  const urls: string[] = [];
  const reasons: string[] = [];
  const fetch: typeof globalThis.fetch = async (input, init) => {
    urls.push(urlOf(input));
    const response = await globalThis.fetch(input, init);
    if (!response.ok) reasons.push(...reasonsIn(await response.clone().json()));
    return response;
  };
  return {
    fetch,
    urls,
    /** Reasons of the server's errors, in the order they arrived (the client may hide them). */
    reasons,
    /** HTTP requests whose URL names `procedure`. */
    requestsFor: (procedure: string) => urls.filter((url) => url.includes(procedure)).length,
    reset: () => {
      urls.length = 0;
      reasons.length = 0;
    },
  };
}

/**
 * The reason the server at `url` gives for an UNAUTHORIZED (auth.me without a token), or
 * null if it sends none. Reasons arrive in the same release as this client, and the client
 * must also work with a server from before them, so these tests expect whichever behaviour
 * the server in the tree calls for.
 */
export async function unauthorizedReason(url: string): Promise<string | null> {
  const response = await fetch(`${url}/trpc/auth.me`);
  return reasonsIn(await response.json())[0] ?? null;
}

/** Whether the server refuses a tRPC batch of `size` calls as a whole (a 400 before any runs). */
export async function refusesBatchOf(url: string, size: number): Promise<boolean> {
  const procedures = Array.from({ length: size }, () => "auth.me").join(",");
  const response = await fetch(`${url}/trpc/${procedures}?batch=1`);
  await response.body?.cancel();
  return response.status === 400;
}

let sequence = 0;

/** A fresh address per call, so tests never trip over each other's accounts. */
export function uniqueEmail(label = "user"): string {
  sequence += 1;
  return `${label}-${Date.now().toString(36)}-${sequence}@example.com`;
}

export const PASSWORD = "correct horse battery staple";
