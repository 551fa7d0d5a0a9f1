import { randomUUID } from "node:crypto";

import { createAccessTokens, loadSigningKeys } from "@lifeline/core";
import { createDb, type Db } from "@lifeline/db";
import { silentLogger } from "@lifeline/logger";
import { TRPCError } from "@trpc/server";
import { expect, inject } from "vitest";

import { appRouter, createCallerFactory, createContext, type ApiDeps } from "../src/index";

const createCaller = createCallerFactory(appRouter);

export interface Harness {
  db: Db;
  deps: ApiDeps;
  /** A caller as an anonymous client, or signed in with `accessToken`. */
  caller: (accessToken?: string, ip?: string) => Promise<ReturnType<typeof createCaller>>;
  /** Moves the clock the API sees. */
  setNow: (date: Date | null) => void;
}

export async function createHarness(): Promise<Harness> {
  const db = createDb(inject("databaseUrl"));
  let now: Date | null = null;
  const deps: ApiDeps = {
    db,
    logger: silentLogger(),
    accessTokens: createAccessTokens(await loadSigningKeys(undefined), {
      issuer: "lifeline-test",
      audience: "lifeline-test-api",
      ttlSeconds: 900,
    }),
    authConfig: {
      bcryptCost: 4,
      refreshIdleTtlSeconds: 14 * 86400,
      refreshAbsoluteTtlSeconds: 30 * 86400,
    },
    now: () => now ?? new Date(),
  };
  return {
    db,
    deps,
    setNow: (date) => {
      now = date;
    },
    caller: async (accessToken, ip = "203.0.113.7") =>
      createCaller(
        await createContext(deps, {
          requestId: randomUUID(),
          ip,
          userAgent: "vitest",
          authorization: accessToken ? `Bearer ${accessToken}` : null,
        }),
      ),
  };
}

export const uniqueEmail = (label = "user") => `${label}-${randomUUID().slice(0, 8)}@example.com`;

/** Awaits a call that must fail and returns its TRPCError. */
export async function expectTRPCError(
  promise: Promise<unknown>,
  code: TRPCError["code"],
): Promise<TRPCError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(TRPCError);
  expect((error as TRPCError).code).toBe(code);
  return error as TRPCError;
}
