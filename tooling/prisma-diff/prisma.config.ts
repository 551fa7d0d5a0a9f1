import { defineConfig } from "prisma/config";

import { createAdapter } from "./src/pg-adapter";

// prisma 6.19's WASM schema engine ("js") through a driver adapter: the only migrate engine
// that runs offline here (docs/migrations.md). The schema is a generated copy of
// packages/db's (src/schema-copy.ts). src/run-prisma.ts sets DATABASE_URL per call.
export default defineConfig({
  experimental: { adapter: true },
  engine: "js",
  schema: ".schema/schema.prisma",
  adapter: async () => createAdapter(process.env.DATABASE_URL ?? ""),
});
