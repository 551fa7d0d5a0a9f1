import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";

/** Where things are. Paths into packages/db are repo-relative: this tool exists to serve it. */

export const packageDir = fileURLToPath(new URL("..", import.meta.url));

/** The schema of record (Prisma 7 syntax) and the migrations folder `pnpm db:migrate` reads. */
export const dbPrismaDir = path.resolve(packageDir, "../../packages/db/prisma");
export const sourceSchemaPath = path.join(dbPrismaDir, "schema.prisma");
export const migrationsDir = path.join(dbPrismaDir, "migrations");

/** prisma 6.19's copy of the schema (gitignored; prisma.config.ts points at it). */
export const schemaCopyPath = path.join(packageDir, ".schema", "schema.prisma");

/** Any existing file: stops prisma 6.19 downloading engines it does not use in "js" mode. */
export const engineStubPath = path.join(packageDir, "offline", "engine.stub");

/**
 * This package's prisma (6.19.3, not the workspace's 7.x), as its JS entry point: run with
 * `node` directly rather than through node_modules/.bin's shell wrapper, so the pid we
 * time out and kill is prisma's own.
 */
export function prismaEntryPoint(): string {
  const require = createRequire(import.meta.url);
  const manifestPath = require.resolve("prisma/package.json");
  const manifest = JSON.parse(readFileSync(manifestPath, "utf8")) as { bin: { prisma: string } };
  return path.join(path.dirname(manifestPath), manifest.bin.prisma);
}
