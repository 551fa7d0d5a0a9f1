import { spawn, type ChildProcessByStdio } from "node:child_process";
import type { Readable, Writable } from "node:stream";

/**
 * The PostgreSQL client tools backups run as child processes (never on an event loop of
 * ours): pg_dump writes the dump, pg_restore lists and restores it. Which binaries is
 * configurable (PG_DUMP_PATH, PG_RESTORE_PATH); unset, they are found on PATH.
 */
export interface PgTools {
  pgDump: string;
  pgRestore: string;
}

export function pgToolsFrom(env: {
  PG_DUMP_PATH?: string | undefined;
  PG_RESTORE_PATH?: string | undefined;
}): PgTools {
  return { pgDump: env.PG_DUMP_PATH ?? "pg_dump", pgRestore: env.PG_RESTORE_PATH ?? "pg_restore" };
}

/** A tool that is missing, too old for the server, or that failed; the message says which and why. */
export class PgToolError extends Error {
  override name = "PgToolError";
}

/**
 * A PostgreSQL major version as a number: 15 for 15.x, 9.6 for 9.6.x (before 10 the major
 * version had two parts), so majors compare as numbers.
 */
export function majorOfVersionText(text: string): number | null {
  const match = /\(PostgreSQL\)\s+(\d+)(?:\.(\d+))?/.exec(text);
  if (!match) return null;
  const first = Number(match[1]);
  return first >= 10 ? first : Number(`${first}.${match[2] ?? "0"}`);
}

/** The same from `server_version_num` (150020 → 15, 90624 → 9.6). */
export function majorOfVersionNum(versionNum: number): number {
  return versionNum >= 100_000
    ? Math.floor(versionNum / 10_000)
    : Math.floor(versionNum / 100) / 10;
}

/** The major version a tool reports with --version; PgToolError when it cannot be run or read. */
export async function toolMajorVersion(tool: string): Promise<{ major: number; text: string }> {
  const { code, stdout, stderr } = await runToCompletion(tool, ["--version"]);
  const text = stdout.trim();
  const major = majorOfVersionText(text);
  if (code !== 0 || major === null) {
    throw new PgToolError(
      `${tool} --version did not report a PostgreSQL version (exit ${String(code)}): ${(text || stderr).slice(0, 200)}`,
    );
  }
  return { major, text };
}

/**
 * Refuses a tool older than the server: pg_dump cannot dump a newer server, and a pg_restore
 * older than the dump's pg_dump cannot read it. The message names both versions and the fix.
 */
export async function assertToolFitsServer(
  tool: string,
  role: "pg_dump" | "pg_restore",
  serverVersionNum: number,
): Promise<number> {
  const { major, text } = await toolMajorVersion(tool);
  const serverMajor = majorOfVersionNum(serverVersionNum);
  if (major < serverMajor) {
    throw new PgToolError(
      `${role} is too old for the database server: ${tool} is PostgreSQL ${major} (${text}), the server is PostgreSQL ${serverMajor}. ` +
        `Install the PostgreSQL ${serverMajor} client tools (or newer) and point ${role === "pg_dump" ? "PG_DUMP_PATH" : "PG_RESTORE_PATH"} at its ${role}.`,
    );
  }
  return major;
}

/**
 * libpq settings for a connection URL, without putting the password on a command line
 * (where `ps` shows it): the URL minus its password for --dbname, the password as PGPASSWORD.
 */
export function connectionForTool(url: string): { dbname: string; env: Record<string, string> } {
  const parsed = new URL(url);
  const password = decodeURIComponent(parsed.password);
  parsed.password = "";
  return { dbname: parsed.toString(), env: password ? { PGPASSWORD: password } : {} };
}

export type ToolProcess = ChildProcessByStdio<Writable | null, Readable, Readable>;

/** The last few kilobytes a tool wrote to stderr: enough for its error, never unbounded. */
export function collectStderr(child: { stderr: Readable }, limit = 4096): () => string {
  let text = "";
  child.stderr.setEncoding("utf8");
  child.stderr.on("data", (chunk: string) => {
    text = (text + chunk).slice(-limit);
  });
  return () => text.trim();
}

/** The exit code of a child (null: killed by a signal); rejects when it could not start. */
export function exitOf(child: ToolProcess): Promise<number | null> {
  return new Promise((resolve, reject) => {
    child.once("error", (error: NodeJS.ErrnoException) => {
      reject(
        error.code === "ENOENT"
          ? new PgToolError(
              `${child.spawnfile} was not found (set PG_DUMP_PATH / PG_RESTORE_PATH, or install the PostgreSQL client tools)`,
            )
          : error,
      );
    });
    child.once("close", (code) => resolve(code));
  });
}

export function spawnTool(
  tool: string,
  args: string[],
  options: { env?: Record<string, string>; stdin?: boolean; signal?: AbortSignal | undefined },
): ToolProcess {
  return spawn(tool, args, {
    // The tool inherits the environment as any child does (PATH, libpq's PG* settings); only
    // the password is added, so it never appears on a command line.
    // eslint-disable-next-line no-restricted-properties -- passed through, not read as configuration
    env: { ...process.env, ...options.env },
    stdio: [options.stdin ? "pipe" : "ignore", "pipe", "pipe"],
    ...(options.signal ? { signal: options.signal } : {}),
  }) as ToolProcess;
}

async function runToCompletion(
  tool: string,
  args: string[],
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawnTool(tool, args, {});
  let stdout = "";
  child.stdout.setEncoding("utf8");
  child.stdout.on("data", (chunk: string) => {
    stdout = (stdout + chunk).slice(0, 4096);
  });
  const stderr = collectStderr(child);
  const code = await exitOf(child);
  return { code, stdout, stderr: stderr() };
}
