import { readdirSync, readFileSync } from "node:fs";

import { describe, expect, it } from "vitest";

describe("bundle boundary", () => {
  it("src imports @lifeline/* for types only, so no server code reaches a frontend bundle", () => {
    const dir = new URL("../src/", import.meta.url);
    const files = readdirSync(dir).filter((file) => file.endsWith(".ts"));
    const mentions = files.flatMap((file) => {
      const text = readFileSync(new URL(file, dir), "utf8");
      const all = text.match(/["']@lifeline\/[^"']+["']/g) ?? [];
      // `import type { … } from "@lifeline/…"` / `export type { … } from …`, single- or multi-line.
      const typeOnly =
        text.match(/^(?:import|export) type \{[^}]*\} from ["']@lifeline\/[^"']+["'];/gm) ?? [];
      return all.length === typeOnly.length
        ? []
        : [`${file}: ${all.length - typeOnly.length} value import(s)`];
    });
    expect(mentions).toEqual([]);
  });

  it("the package depends on nothing of the server's at run time", () => {
    const manifest = JSON.parse(
      readFileSync(new URL("../package.json", import.meta.url), "utf8"),
    ) as Record<string, Record<string, string> | undefined>;
    const runtime = { ...manifest.dependencies, ...manifest.peerDependencies };
    expect(Object.keys(runtime).sort()).toEqual(["@trpc/client", "@trpc/server"]);
    const all = { ...runtime, ...manifest.devDependencies };
    expect(Object.keys(all)).not.toContain("@lifeline/server");
    expect(Object.keys(all)).not.toContain("@lifeline/db");
  });
});
