import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

import { appRouter, listProcedures, OPERATION_EXAMPLES } from "@lifeline/api";
import { generateSigningJwk } from "@lifeline/core";
import { createLogger } from "@lifeline/logger";
import { importJWK, SignJWT, type JWK } from "jose";
import { describe, expect, inject, it } from "vitest";

import { startTestServer, type TestServer } from "../src/testing";
import { LEAK } from "./support/http";

/**
 * Every procedure, over both transports, with Postgres down and then with Redis down: an
 * outage is a 503 (or, where a procedure can do without the dependency, an answer), never
 * a 500, never a 401 for a valid token, and never a body that holds a stack, a source path
 * or a driver's message. The cause goes to error.log.
 */

const UNREACHABLE = "127.0.0.1:1";

/**
 * Inputs of procedures whose input is all path and query parameters: the documented examples
 * are request bodies, so these have none.
 */
const PARAMETER_INPUTS: Record<string, Record<string, string>> = {
  "auth.revokeSession": { id: "9b2f6c1d-7e4a-4c3b-8d5e-1a2b3c4d5e6f" },
  "admin.failedJobs": { queue: "email" },
  "admin.retryJob": { queue: "email", id: "42" },
  "admin.removeJob": { queue: "email", id: "42" },
  "media.get": { id: "3f6c2a9e-1b7d-4c8e-9a0f-5d4e3c2b1a09" },
  "media.delete": { id: "3f6c2a9e-1b7d-4c8e-9a0f-5d4e3c2b1a09" },
  "accounts.unlink": { id: "7c9e6679-7425-40de-944b-e07fc1f90ae7" },
  "accounts.refresh": { id: "7c9e6679-7425-40de-944b-e07fc1f90ae7" },
  "imports.start": { id: "7c9e6679-7425-40de-944b-e07fc1f90ae7" },
  "imports.get": { id: "0b8f7c3e-2d4a-4f6b-9c1e-8a7d5e3f2b10" },
};

/** A valid input for each procedure (the documented examples, or what a path needs). */
function sampleInput(procedure: string): unknown {
  return PARAMETER_INPUTS[procedure] ?? OPERATION_EXAMPLES[procedure]?.request;
}

async function validToken(jwk: JWK, server: TestServer): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ sid: "6f1d3a4e-2b7c-4d8e-9f01-23456789abcd" })
    .setProtectedHeader({ alg: "EdDSA", kid: jwk.kid, typ: "JWT" })
    .setSubject("6f1d3a4e-2b7c-4d8e-9f01-23456789abce")
    .setIssuer(server.env.JWT_ISSUER)
    .setAudience(server.env.JWT_AUDIENCE)
    .setIssuedAt(now)
    .setExpirationTime(now + 900)
    .sign(await importJWK(jwk, "EdDSA"));
}

interface Answer {
  procedure: string;
  transport: string;
  status: number;
  body: string;
  protect: boolean;
}

async function callEverything(server: TestServer, token: string): Promise<Answer[]> {
  const answers: Answer[] = [];
  for (const { procedure, openapi, definition } of listProcedures(appRouter)) {
    const input = sampleInput(procedure);
    const isQuery = definition._def.type === "query";
    const auth = { authorization: `Bearer ${token}` };
    const json = { ...auth, "content-type": "application/json" };
    const trpc = await server.app.inject({
      method: isQuery ? "GET" : "POST",
      url: `/trpc/${procedure}${isQuery && input !== undefined ? `?input=${encodeURIComponent(JSON.stringify(input))}` : ""}`,
      headers: isQuery ? auth : json,
      ...(isQuery || input === undefined ? {} : { payload: JSON.stringify(input) }),
    });
    answers.push({
      procedure,
      transport: "trpc",
      status: trpc.statusCode,
      body: trpc.body,
      protect: !!openapi?.protect,
    });
    if (!openapi) continue;
    const restPath = openapi.path.replace(
      /\{(\w+)\}/g,
      (_, key: string) => (input as Record<string, string> | undefined)?.[key] ?? "",
    );
    const bodyless = openapi.method === "GET" || openapi.method === "DELETE";
    const rest = await server.app.inject({
      method: openapi.method,
      url: `/api${restPath}`,
      headers: bodyless || input === undefined ? auth : json,
      ...(bodyless || input === undefined ? {} : { payload: JSON.stringify(input) }),
    });
    answers.push({
      procedure,
      transport: "rest",
      status: rest.statusCode,
      body: rest.body,
      protect: openapi.protect,
    });
  }
  return answers;
}

async function withOutage(
  env: Record<string, string>,
  check: (answers: Answer[], errorLog: () => string) => void,
): Promise<void> {
  const jwk = await generateSigningJwk("outage");
  const logDir = mkdtempSync(path.join(tmpdir(), "lifeline-outage-"));
  const logger = createLogger({ name: "server", level: "info", logDir, console: false });
  const server = await startTestServer({
    databaseUrl: inject("databaseUrl"),
    logger,
    env: { JWT_SIGNING_KEYS: JSON.stringify([jwk]), ...env },
  });
  try {
    const answers = await callEverything(server, await validToken(jwk, server));
    expect(answers.length).toBeGreaterThan(10);
    await new Promise<void>((resolve) => logger.flush(() => resolve()));
    check(answers, () => readFileSync(path.join(logDir, "error.log"), "utf8"));
  } finally {
    await server.close();
  }
}

/**
 * Procedures that do their work without Postgres: a password-reset request only enqueues (the
 * jobs app looks the address up, and retries while Postgres is down).
 */
const WITHOUT_POSTGRES = new Set(["auth.requestPasswordReset"]);

describe("with Postgres down", () => {
  it("every procedure answers 503 (a valid token is not 'signed out'), in the standard shape, leaking nothing", async () => {
    const database = new URL(inject("databaseUrl"));
    database.host = UNREACHABLE;
    await withOutage({ DATABASE_URL: database.toString() }, (answers, errorLog) => {
      for (const answer of answers) {
        const where = `${answer.transport} ${answer.procedure}`;
        expect(answer.body, where).not.toMatch(LEAK);
        if (WITHOUT_POSTGRES.has(answer.procedure)) {
          expect(answer.status, where).toBe(200);
          continue;
        }
        expect(answer.status, where).toBe(503);
        expect(answer.body, where).toContain("SERVICE_UNAVAILABLE");
        expect(answer.body, where).toContain("retry_later");
      }
      // The cause, with its stack, is for the operators.
      expect(errorLog()).toContain("Can't reach database server");
      expect(errorLog()).toContain('"stack"');
    });
  });
});

describe("with Redis down", () => {
  it("credential procedures fail closed with 503, the rest still answer; nothing leaks, nothing is a 500", async () => {
    await withOutage({ REDIS_URL: `redis://${UNREACHABLE}` }, (answers) => {
      for (const answer of answers) {
        const where = `${answer.transport} ${answer.procedure}`;
        expect(answer.body, where).not.toMatch(LEAK);
        expect(answer.status, where).not.toBe(500);
        if (["auth.login", "auth.register", "auth.refresh"].includes(answer.procedure)) {
          expect(answer.status, where).toBe(503);
        }
      }
    });
  });
});
