import { parseBackupArgs, UsageError, USAGE } from "./backup-args";

// `pnpm backup:run database|media` and `pnpm backup:restore [--at <id>] --into <db> [--force]`:
// the jobs app's backup code run from a terminal, against the configured database, media
// storage and backup store. A CLI, so it reports on stdout/stderr (and logs to LOG_DIR).

let command;
try {
  command = parseBackupArgs(process.argv.slice(2));
} catch (error) {
  if (!(error instanceof UsageError)) throw error;
  process.stderr.write(`backup: ${error.message}\n\n${USAGE}`);
  process.exit(2);
}

// Loaded only for a well-formed command: the database client takes a while to load.
const { runBackupCommand } = await import("./backup-commands");
process.exitCode = await runBackupCommand(command);
