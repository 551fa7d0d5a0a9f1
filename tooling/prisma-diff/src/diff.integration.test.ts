import { createTestDatabase, type TestDatabase } from "@lifeline/db/testing";
import pg from "pg";
import { afterEach, beforeEach, describe, expect, it } from "vitest";

import { diffDatabaseAgainstSchema, isEmptySql } from "./diff";
import { toPrisma6Schema } from "./schema-copy";

async function execute(databaseUrl: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

// The drift check: the database `pnpm db:migrate` builds must be exactly schema.prisma.
// If this fails, someone edited schema.prisma without `pnpm db:diff <name>` (or edited SQL).
describe("migrations match schema.prisma", () => {
  let database: TestDatabase;
  beforeEach(async () => {
    database = await createTestDatabase("drift");
  });
  afterEach(async () => {
    await database.drop();
  });

  it("a freshly migrated database needs no changes", async () => {
    expect(await diffDatabaseAgainstSchema(database.url)).toBe("");
  });

  // The two below prove the check can fail, i.e. that it looks at the real database.
  it("sees a column the schema does not have", async () => {
    await execute(database.url, "ALTER TABLE users ADD COLUMN drift_probe int");
    const sql = await diffDatabaseAgainstSchema(database.url);
    expect(sql).toMatch(/ALTER TABLE "users" DROP COLUMN "drift_probe"/);
  });

  it("sees a missing index", async () => {
    await execute(database.url, 'DROP INDEX "sessions_user_id_revoked_at_idx"');
    const sql = await diffDatabaseAgainstSchema(database.url);
    expect(sql).toMatch(/CREATE INDEX "sessions_user_id_revoked_at_idx"/);
  });

  it("from an empty database, creates everything", async () => {
    await execute(database.url, "DROP SCHEMA public CASCADE; CREATE SCHEMA public");
    const sql = await diffDatabaseAgainstSchema(database.url);
    expect(sql).toMatch(/CREATE TABLE "users"/);
  });
});

describe("isEmptySql", () => {
  it("treats whitespace and comments as empty", () => {
    expect(isEmptySql("-- This is an empty migration.\n\n")).toBe(true);
    expect(isEmptySql("-- AlterTable\nALTER TABLE x ADD y int;")).toBe(false);
  });
});

describe("toPrisma6Schema", () => {
  const v7 = `generator client {
  provider     = "prisma-client"
  output       = "../src/generated/prisma"
  moduleFormat = "esm"
}

datasource db {
  provider = "postgresql"
}

model A {
  id Int @id
}
`;

  it("adds the url prisma 6 requires and drops the 7.x generator options", () => {
    const v6 = toPrisma6Schema(v7);
    expect(v6).toContain(
      'datasource db {\n  url      = env("DATABASE_URL")\n  provider = "postgresql"\n}',
    );
    expect(v6).toContain('provider     = "prisma-client-js"');
    expect(v6).not.toMatch(/output|moduleFormat/);
    expect(v6).toContain("model A {");
  });

  it("refuses a schema without a datasource", () => {
    expect(() => toPrisma6Schema("model A {\n  id Int @id\n}\n")).toThrow(/datasource/);
  });
});
