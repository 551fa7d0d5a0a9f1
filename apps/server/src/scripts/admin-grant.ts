import { userInfo } from "node:os";

// `pnpm admin:grant <email>` makes a user an admin; `--revoke` makes them a plain user again.
// Runs against DATABASE_URL, like `pnpm db:migrate`. A CLI, so it reports on stdout/stderr.
const USAGE = "usage: pnpm admin:grant <email> [--revoke]\n";

const args = process.argv.slice(2).filter((arg) => arg !== "--");
const revoke = args.includes("--revoke");
const rest = args.filter((arg) => arg !== "--revoke");
const email = rest[0];

if (rest.length !== 1 || !email || email.startsWith("-") || !email.includes("@")) {
  process.stderr.write(USAGE);
  process.exit(2);
}

// Loaded only for a well-formed command: the database client takes a while to load.
const { createDb } = await import("@lifeline/db");
const { databaseEnvSchema, loadDotEnv, parseEnv } = await import("@lifeline/env");
const { setUserRole, UnknownUserError } = await import("./set-user-role");

loadDotEnv();
const { DATABASE_URL } = parseEnv(databaseEnvSchema);
const db = createDb(DATABASE_URL);

/** Who ran it, for the audit event; some containers have no user name for the uid. */
function osUser(): string | null {
  try {
    return userInfo().username;
  } catch {
    return null;
  }
}

try {
  const role = revoke ? "user" : "admin";
  const change = await setUserRole(db, email, role, { via: "cli", osUser: osUser() });
  const what = revoke ? "not an admin" : "an admin";
  process.stdout.write(
    change.changed
      ? `${change.email} is now ${what} (from their next request)\n`
      : `${change.email} was already ${what}; nothing changed\n`,
  );
} catch (error) {
  process.stderr.write(
    error instanceof UnknownUserError
      ? `admin:grant: ${error.message}\n`
      : `admin:grant failed: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exitCode = 1;
} finally {
  await db.$disconnect();
}
