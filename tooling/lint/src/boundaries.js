// Which workspace packages each part of the repository may import: the arrows of the
// architecture (apps -> api -> core -> db, queue, providers -> env, logger), enforced by
// ESLint so they hold by construction. A package is named by its folder; `types` lists
// packages that may be imported for their types only (`import type`, erased at build time).

/** @type {{ files: string[]; name: string; allow: string[]; types?: string[]; forbidLibraries?: string[] }[]} */
export const BOUNDARIES = [
  { name: "env", files: ["packages/env/**/*.ts"], allow: [] },
  { name: "logger", files: ["packages/logger/**/*.ts"], allow: ["env"] },
  { name: "process", files: ["packages/process/**/*.ts"], allow: ["env", "logger"] },
  { name: "db", files: ["packages/db/**/*.ts"], allow: ["env", "logger"] },
  { name: "queue", files: ["packages/queue/**/*.ts"], allow: ["env", "logger", "vitest-config"] },
  {
    name: "providers",
    files: ["packages/providers/**/*.ts"],
    allow: ["env", "logger", "vitest-config"],
  },
  {
    name: "storage",
    files: ["packages/storage/**/*.ts"],
    allow: ["env", "logger", "vitest-config"],
  },
  {
    name: "core",
    files: ["packages/core/**/*.ts"],
    allow: ["db", "queue", "providers", "storage", "env", "logger", "vitest-config"],
    // Domain logic is transport-free: the jobs app must be able to call all of it.
    forbidLibraries: ["@trpc/*", "fastify", "@fastify/*"],
  },
  {
    name: "api",
    files: ["packages/api/**/*.ts"],
    allow: ["core", "db", "queue", "storage", "env", "logger", "vitest-config"],
    forbidLibraries: ["fastify", "@fastify/*"],
  },
  { name: "client", files: ["packages/client/**/*.ts"], allow: ["vitest-config"], types: ["api"] },
  {
    name: "server",
    files: ["apps/server/**/*.ts"],
    allow: ["api", "core", "db", "queue", "storage", "env", "logger", "process", "vitest-config"],
  },
  // The server's tests emulate the providers (msw handlers from @lifeline/providers/testing)
  // behind the real HTTP routes; the server's own code still reaches providers through core.
  {
    name: "server",
    files: ["apps/server/test/**/*.ts"],
    allow: [
      "api",
      "core",
      "db",
      "queue",
      "providers",
      "storage",
      "env",
      "logger",
      "process",
      "vitest-config",
    ],
  },
  {
    name: "jobs",
    files: ["apps/jobs/**/*.ts"],
    allow: [
      "core",
      "db",
      "queue",
      "providers",
      "storage",
      "env",
      "logger",
      "process",
      "vitest-config",
    ],
  },
  {
    name: "provider-standins",
    files: ["apps/provider-standins/**/*.ts"],
    allow: ["providers", "env", "logger", "process", "vitest-config"],
  },
];

const ALL = [
  "env",
  "logger",
  "process",
  "db",
  "queue",
  "providers",
  "storage",
  "core",
  "api",
  "client",
  "server",
  "jobs",
  "provider-standins",
  "vitest-config",
  "e2e",
  "bench",
  "prisma-diff",
];

/** ESLint config entries: one `no-restricted-imports` rule per bounded part. */
export function boundaryRules() {
  return BOUNDARIES.map(({ name, files, allow, types = [], forbidLibraries = [] }) => {
    const denied = ALL.filter((other) => other !== name && !allow.includes(other));
    const patterns = denied.map((other) => ({
      group: [`@lifeline/${other}`, `@lifeline/${other}/*`],
      allowTypeImports: types.includes(other),
      message: `${name} may not import @lifeline/${other}: dependencies point apps -> api -> core -> db, queue, providers -> env, logger (see docs/architecture.md).`,
    }));
    if (forbidLibraries.length) {
      patterns.push({
        group: forbidLibraries,
        allowTypeImports: false,
        message: `${name} stays free of transports (${forbidLibraries.join(", ")}).`,
      });
    }
    return {
      files,
      rules: { "@typescript-eslint/no-restricted-imports": ["error", { patterns }] },
    };
  });
}
