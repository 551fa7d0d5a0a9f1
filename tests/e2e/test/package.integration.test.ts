// @lifeline/client as a user gets it: packed, installed from the tarball into a project
// outside the workspace, type-checked under NodeNext (ESM and CommonJS) and Bundler with the
// workspace's tsc, and run with Node against a live server.
import type { TestServer } from "@lifeline/server/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import {
  createConsumerProject,
  type ConsumerCheck,
  type ConsumerProject,
  type PackedClient,
} from "./support/packed-client";
import { outputOf, type RunResult } from "./support/run";
import { PASSWORD, startServer, unauthorizedReason, uniqueEmail } from "./support/server";

let consumer: ConsumerProject & PackedClient;
let server: TestServer;
const cleanups: (() => Promise<void>)[] = [];
/** Consumers with two deliberate type errors each (see fixtures/consumer/src/type-error.ts). */
const WRONG: Record<ConsumerCheck, string[]> = {
  nodenext: ["type-error.ts", "type-error.cts"],
  bundler: ["type-error.ts"],
};
/** The compiler runs, started together once the project is installed (tsc is the slow part). */
let checks: Record<ConsumerCheck, { valid: Promise<RunResult>; wrong: Promise<RunResult> }>;

beforeAll(async () => {
  // Side by side: the pack (which builds) and the install take most of this file's time.
  await Promise.all([
    startServer().then((started) => {
      server = started;
      cleanups.push(() => started.close());
    }),
    createConsumerProject().then((created) => {
      consumer = created;
      cleanups.push(() => created.remove());
    }),
  ]);
  checks = {
    nodenext: {
      // Emits out/esm.js and out/cjs.cjs, which the last tests run.
      valid: consumer.typecheck("nodenext", ["esm.ts", "cjs.cts"], { emit: true }),
      wrong: consumer.typecheck("nodenext", WRONG.nodenext),
    },
    bundler: {
      valid: consumer.typecheck("bundler", ["esm.ts"]),
      wrong: consumer.typecheck("bundler", WRONG.bundler),
    },
  };
  await Promise.all(Object.values(checks).flatMap(({ valid, wrong }) => [valid, wrong]));
});
afterAll(async () => {
  await Promise.all(cleanups.map((cleanup) => cleanup()));
});

describe("the tarball", () => {
  it("holds the built files, README and manifest: no sources, no tests", () => {
    expect([...consumer.files].sort()).toEqual([
      "README.md",
      "dist/index.cjs",
      "dist/index.cjs.map",
      "dist/index.d.cts",
      "dist/index.d.ts",
      "dist/index.js",
      "dist/index.js.map",
      "package.json",
    ]);
  });

  it("has a manifest that points only into dist and needs nothing but tRPC", async () => {
    const manifest = JSON.parse(await consumer.readInstalled("package.json")) as {
      private?: boolean;
      exports: unknown;
      dependencies?: Record<string, string>;
      peerDependencies?: Record<string, string>;
    };
    expect(manifest.private).toBeUndefined();
    const targets = JSON.stringify(manifest.exports).match(/"\.\/[^"]+"/g) ?? [];
    expect(targets.filter((target) => !/^"\.\/(dist\/|package\.json)/.test(target))).toEqual([]);
    expect(manifest.dependencies ?? {}).toEqual({});
    expect(Object.keys(manifest.peerDependencies ?? {}).sort()).toEqual([
      "@trpc/client",
      "@trpc/server",
    ]);
  });

  it.each(["dist/index.d.ts", "dist/index.d.cts"])(
    "%s imports only @trpc/* and names no server package",
    async (path) => {
      const declarations = await consumer.readInstalled(path);
      const imported = [...declarations.matchAll(/from ['"]([^'"]+)['"]/g)].map((m) => m[1]);
      expect(new Set(imported)).toEqual(new Set(["@trpc/client", "@trpc/server"]));
      expect(declarations).not.toMatch(/@lifeline\/|prisma|pino|ioredis|jose|fastify|zod/i);
      expect(declarations).toMatch(/type AppRouter\b/);
    },
  );
});

describe("type-checking a consumer with the workspace's tsc", () => {
  it("NodeNext: an ES module and a CommonJS module both compile", async () => {
    const result = await checks.nodenext.valid;
    expect(result.code, outputOf(result)).toBe(0);
  });

  it("Bundler: the ES module compiles", async () => {
    const result = await checks.bundler.valid;
    expect(result.code, outputOf(result)).toBe(0);
  });

  it.each(["nodenext", "bundler"] as const)(
    "%s: a wrong consumer is reported, so the check can fail",
    async (check) => {
      const files = WRONG[check];
      const result = await checks[check].wrong;
      expect(result.code).not.toBe(0);
      for (const file of files) {
        // A string returned as a number, and a login without its password.
        const at = `src/${file.replace(".", "\\.")}\\(\\d+,\\d+\\): error`;
        expect(result.stdout).toMatch(new RegExp(`${at} TS2322`));
        expect(result.stdout).toMatch(new RegExp(`${at} TS2345`));
      }
      // Nothing else: the package's own declarations are fine.
      const errors = result.stdout.split("\n").filter((line) => line.includes(": error TS"));
      expect(errors).toHaveLength(files.length * 2);
    },
  );
});

describe("running the consumer against a live server", () => {
  it.each([
    { module: "esm", file: "esm.js" },
    { module: "cjs", file: "cjs.cjs" },
  ])("$module: register → login → auth.me", async ({ module, file }) => {
    expect((await checks.nodenext.valid).code).toBe(0);
    const email = uniqueEmail(`packed-${module}`);

    const result = await consumer.node(file, [server.url, email, PASSWORD]);

    expect(result.code, outputOf(result)).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({
      module,
      email,
      expiresIn: expect.any(Number),
      // What lifelineErrorReason() made of a wrong password (null from a server without reasons).
      reason: (await unauthorizedReason(server.url)) ? "credentials_invalid" : null,
    });
  });
});
