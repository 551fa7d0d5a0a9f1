import { writeFile } from "node:fs/promises";
import path from "node:path";

import { runPrisma } from "./run-prisma";

/** Only a datasource: nothing for `db pull` to carry over, so the result is the database alone. */
const BARE_SCHEMA = `datasource db {
  provider = "postgresql"
  url      = env("DATABASE_URL")
}
`;

/**
 * Writes the Prisma schema of the database at `databaseUrl` to `<dir>/database.prisma`.
 *
 * Why introspect at all: with a driver adapter (the only offline engine), prisma 6.19 refuses
 * `migrate diff --from-url` ("not supported when defining an adapter"). `db pull` does work
 * through the adapter, and diffing its output with the schema compares the same SQL schemas.
 * It writes into the file rather than using `--print`, whose stdout carries a warning banner.
 */
export async function introspectDatabase(databaseUrl: string, dir: string): Promise<string> {
  const schemaPath = path.join(dir, "database.prisma");
  await writeFile(schemaPath, BARE_SCHEMA);
  await runPrisma(["db", "pull", "--schema", schemaPath], databaseUrl);
  return schemaPath;
}
