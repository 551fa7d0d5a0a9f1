import { randomBytes } from "node:crypto";
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

import pg from "pg";
import { describe, expect, it } from "vitest";

import {
  DatabaseMissingError,
  dropDatabase,
  ensureDatabase,
  maintenanceUrl,
} from "./ensure-database";

const SERVER =
  process.env.TEST_DATABASE_SERVER ??
  process.env.DATABASE_URL ??
  "postgresql://postgres@127.0.0.1:5432/postgres";

function urlFor(name: string): string {
  const url = new URL(SERVER);
  url.pathname = `/${name}`;
  return url.toString();
}

async function exists(name: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: maintenanceUrl(SERVER) });
  await client.connect();
  try {
    return Boolean(
      (await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [name])).rowCount,
    );
  } finally {
    await client.end();
  }
}

const packageDir = fileURLToPath(new URL("../..", import.meta.url));
const run = promisify(execFile);

describe("ensureDatabase", () => {
  it("creates a missing database by default (development and test)", async () => {
    const name = `lifeline_ensure_${randomBytes(4).toString("hex")}`;
    try {
      expect(await ensureDatabase(urlFor(name))).toBe(true);
      expect(await exists(name)).toBe(true);
      expect(await ensureDatabase(urlFor(name))).toBe(false);
    } finally {
      await dropDatabase(urlFor(name));
    }
  });

  it("refuses, naming it, when creating is not allowed", async () => {
    const name = `lifeline_typo_${randomBytes(4).toString("hex")}`;
    const error = await ensureDatabase(urlFor(name), { create: false }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DatabaseMissingError);
    expect((error as Error).message).toContain(`database "${name}" does not exist`);
    expect(await exists(name)).toBe(false);
  });

  it("pnpm db:migrate in production refuses a misspelt database and creates nothing", async () => {
    const name = `lifeline_typo_${randomBytes(4).toString("hex")}`;
    const result = await run(process.execPath, ["--import", "tsx", "src/migrate/cli.ts"], {
      cwd: packageDir,
      env: { PATH: process.env.PATH, NODE_ENV: "production", DATABASE_URL: urlFor(name) },
    }).then(
      () => ({ code: 0, stderr: "" }),
      (e: unknown) => e as { code: number; stderr: string },
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`database "${name}" does not exist`);
    expect(await exists(name)).toBe(false);
  });
});
