import { defineConfig } from "tsup";

// Workspace packages export TypeScript source, so the app bundles them, and with them the
// libraries only they depend on (Prisma's runtime, jose, pino...). Some of those are CommonJS
// and call require(): the banner gives the ESM bundle a real one.
export default defineConfig({
  entry: ["src/main.ts"],
  format: ["esm"],
  platform: "node",
  target: "node20",
  outDir: "dist",
  clean: true,
  sourcemap: true,
  noExternal: [/^@lifeline\//],
  banner: {
    js: 'import { createRequire } from "node:module"; const require = createRequire(import.meta.url);',
  },
});
