import { cp, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

import { outputOf, run, type RunResult } from "./run";

const REPO = fileURLToPath(new URL("../../../../", import.meta.url));
const CLIENT = join(REPO, "packages/client");
const FIXTURE = fileURLToPath(new URL("../fixtures/consumer/", import.meta.url));
/** The workspace's own compiler checks the consumer: the version the repo pins. */
export const WORKSPACE_TSC = join(REPO, "node_modules/.bin/tsc");

/** The consumer installs the client's peers beside it at the version the workspace uses. */
async function trpcVersion(): Promise<string> {
  const manifest = await readFile(join(CLIENT, "node_modules/@trpc/client/package.json"), "utf8");
  return (JSON.parse(manifest) as { version: string }).version;
}

/**
 * pnpm, without the settings of the `pnpm run` this test was started by (npm_config_*,
 * npm_package_*…), which describe the workspace rather than the consumer's project.
 */
function pnpmEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !name.toLowerCase().startsWith("npm_")),
  );
}

async function pnpm(args: readonly string[], cwd: string): Promise<RunResult> {
  const result = await run("pnpm", args, { cwd, env: pnpmEnv(), timeoutMs: 180_000 });
  if (result.code !== 0) throw new Error(`pnpm ${args.join(" ")} failed:\n${outputOf(result)}`);
  return result;
}

export interface PackedClient {
  tarball: string;
  /** Paths inside the tarball, as `pnpm pack --json` lists them. */
  files: string[];
}

/** `pnpm pack` of packages/client; its prepack script builds dist first. */
export async function packClient(destination: string): Promise<PackedClient> {
  const tarball = join(destination, "lifeline-client.tgz");
  const { stdout } = await pnpm(["pack", "--json", "--out", tarball], CLIENT);
  // The lifecycle scripts print before the JSON; it is the last thing on stdout.
  const json = stdout.slice(stdout.lastIndexOf("\n{") + 1);
  const packed = JSON.parse(json) as { files: { path: string }[] };
  return { tarball, files: packed.files.map((file) => file.path) };
}

export type ConsumerCheck = "nodenext" | "bundler";

const COMPILER_OPTIONS = {
  target: "ES2022",
  // @trpc/server's declarations use Disposable; DOM for fetch, URL and console.
  lib: ["ES2022", "ESNext.Disposable", "DOM"],
  types: [],
  strict: true,
  // Checked, not skipped: a broken or unresolvable import in the package's .d.ts must fail.
  skipLibCheck: false,
};

const CHECKS: Record<ConsumerCheck, object> = {
  nodenext: { module: "NodeNext", moduleResolution: "NodeNext" },
  bundler: { module: "Preserve", moduleResolution: "Bundler" },
};

/** A project outside the workspace that installed the tarball the way a user would. */
export interface ConsumerProject {
  dir: string;
  /** Type-checks `files` (paths under src/) with the workspace's tsc; emits to out/ if asked. */
  typecheck(
    check: ConsumerCheck,
    files: string[],
    options?: { emit?: boolean },
  ): Promise<RunResult>;
  /** Runs a compiled file of out/ with this Node. */
  node(file: string, args: string[]): Promise<RunResult>;
  /** A file of the installed package, e.g. "dist/index.d.ts". */
  readInstalled(path: string): Promise<string>;
  remove(): Promise<void>;
}

/** Packs the client into `dir` and installs it there with the consumer's sources. */
async function install(dir: string): Promise<PackedClient> {
  const [packed, trpc] = await Promise.all([packClient(dir), trpcVersion()]);
  await cp(join(FIXTURE, "src"), join(dir, "src"), { recursive: true });
  await writeFile(
    join(dir, "package.json"),
    JSON.stringify({
      name: "lifeline-client-consumer",
      private: true,
      type: "module",
      dependencies: {
        "@lifeline/client": `file:${packed.tarball}`,
        "@trpc/client": trpc,
        "@trpc/server": trpc,
      },
    }),
  );
  const { stdout: storeDir } = await pnpm(["store", "path"], REPO);
  await pnpm(
    [
      "install",
      // The packages come from the store the workspace install filled; only their metadata
      // may need the registry (a lockfile install, as in CI, leaves pnpm's metadata cache
      // empty, and --offline would then fail to resolve @trpc/client).
      "--prefer-offline",
      "--store-dir",
      storeDir.trim(),
      // CI=true would otherwise demand a lockfile this new project cannot have.
      "--no-frozen-lockfile",
      // @trpc/* name typescript as a peer; the check uses the workspace's tsc instead.
      "--config.auto-install-peers=false",
    ],
    dir,
  );
  return packed;
}

/**
 * Packs the client and installs the tarball into a new project under the OS's temporary
 * directory, from the machine's pnpm store (which the workspace install filled).
 */
export async function createConsumerProject(): Promise<ConsumerProject & PackedClient> {
  const dir = await mkdtemp(join(tmpdir(), "lifeline-client-consumer-"));
  let packed: PackedClient;
  try {
    packed = await install(dir);
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }

  let configs = 0;
  return {
    ...packed,
    dir,
    async typecheck(check, files, options = {}) {
      configs += 1;
      const config = join(dir, `tsconfig.${check}.${configs}.json`);
      const emit = options.emit ? { outDir: "out" } : { noEmit: true };
      await writeFile(
        config,
        JSON.stringify({
          compilerOptions: { ...COMPILER_OPTIONS, ...CHECKS[check], ...emit },
          files: files.map((file) => `src/${file}`),
        }),
      );
      return run(WORKSPACE_TSC, ["-p", config, "--pretty", "false"], { cwd: dir });
    },
    node: (file, args) => run(process.execPath, [join("out", file), ...args], { cwd: dir }),
    readInstalled: (path) => readFile(join(dir, "node_modules/@lifeline/client", path), "utf8"),
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}
