/**
 * The command lines of `pnpm backup:run` and `pnpm backup:restore`, checked before anything
 * connects: a mistake is a usage error (exit 2) that says what is wrong.
 */
export const USAGE = `usage:
  pnpm backup:run database|media
      take a backup now (media: a database backup first, then the media blobs), verify it,
      apply retention; progress on the terminal
  pnpm backup:restore [--at <backup id>] --into <database> [--force]
      restore the newest verified database backup (or the one --at names; a media backup's id
      means the dump taken with it) into <database> on DATABASE_URL's server (created when
      missing; one that has tables is refused without --force), then every media blob the
      restored database references into the configured media storage
`;

export class UsageError extends Error {
  override name = "UsageError";
}

export type BackupCommand =
  | { command: "run"; kind: "database" | "media" }
  | { command: "restore"; at: string | null; into: string; force: boolean };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** A database name we create and connect to: letters, digits, _ and -, at most 63 bytes. */
const DATABASE_NAME = /^[A-Za-z_][A-Za-z0-9_-]{0,62}$/;

export function parseBackupArgs(argv: readonly string[]): BackupCommand {
  // pnpm may pass a literal "--" through ahead of the arguments.
  const [command, ...rest] = argv.filter((arg) => arg !== "--");
  if (command === "run") {
    const [kind, ...extra] = rest;
    if (kind !== "database" && kind !== "media") {
      throw new UsageError(
        kind
          ? `unknown backup kind "${kind}": expected database or media`
          : "which backup? database or media",
      );
    }
    if (extra.length) throw new UsageError(`unexpected argument: ${extra.join(" ")}`);
    return { command: "run", kind };
  }
  if (command === "restore") return parseRestore(rest);
  throw new UsageError(
    command ? `unknown command "${command}": expected run or restore` : "no command",
  );
}

function parseRestore(args: string[]): BackupCommand {
  let at: string | null = null;
  let into: string | null = null;
  let force = false;
  for (let i = 0; i < args.length; i += 1) {
    const arg = args[i];
    const value = () => {
      const next = args[i + 1];
      if (next === undefined || next.startsWith("--")) throw new UsageError(`${arg} needs a value`);
      i += 1;
      return next;
    };
    if (arg === "--force") force = true;
    else if (arg === "--at") {
      if (at !== null) throw new UsageError("--at given twice");
      at = value();
      if (!UUID.test(at)) throw new UsageError(`--at must be a backup id (a UUID), not "${at}"`);
      at = at.toLowerCase();
    } else if (arg === "--into") {
      if (into !== null) throw new UsageError("--into given twice");
      into = value();
      if (!DATABASE_NAME.test(into)) {
        throw new UsageError(
          `--into must be a database name (letters, digits, _ and -, at most 63), not "${into}"`,
        );
      }
    } else throw new UsageError(`unknown option: ${String(arg)}`);
  }
  if (into === null)
    throw new UsageError("--into <database> is required: the database to restore into");
  return { command: "restore", at, into, force };
}
