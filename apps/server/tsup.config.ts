import { defineConfig } from "tsup";

// Workspace packages export TypeScript source, so the app bundles them, and with them the
// libraries only they depend on (Prisma's runtime, jose, pino...). Some of those are CommonJS
// and call require(): the banner gives the ESM bundle a real one.
export default defineConfig({
  // The password pool's worker script must sit beside main.js: the pool finds it there.
  entry: {
    main: "src/main.ts",
    "password-worker": "../../packages/core/src/auth/password-worker.js",
  },
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
