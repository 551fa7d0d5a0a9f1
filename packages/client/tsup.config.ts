import { defineConfig } from "tsup";

// The published package: one ESM and one CommonJS file, each with bundled declarations.
// The declarations need nothing from the server: src/router.ts makes the compiler write the
// router's types out in full, so they mention only @trpc/server (a peer dependency).
// @trpc/* stay external (peers), so the app and this client share one tRPC.
export default defineConfig({
  entry: ["src/index.ts"],
  format: ["esm", "cjs"],
  // Browsers and Node 20 alike: no Node built-ins are used.
  platform: "neutral",
  target: "es2022",
  dts: true,
  sourcemap: true,
  clean: true,
  outDir: "dist",
});
