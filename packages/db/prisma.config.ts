import { defineConfig } from "prisma/config";

// Prisma 7 no longer reads .env itself; `env()` would also throw when the variable is unset,
// even for `prisma generate`, which needs no database (docs/migrations.md).
export default defineConfig({
  schema: "prisma/schema.prisma",
  migrations: { path: "prisma/migrations" },
  datasource: { url: process.env.DATABASE_URL ?? "" },
});
