// `pnpm tokens:reencrypt`: rewrites every linked account's provider tokens under the first
// (current) key of TOKEN_ENCRYPTION_KEYS, so the older keys listed after it can be dropped.
// Runs against DATABASE_URL, like `pnpm db:migrate`. Safe while the apps run: each row is
// rewritten only if it still holds what was read (a refresh meanwhile wins), and a second
// run finds nothing to do. A CLI, so it reports on stdout/stderr; never prints a token.
const USAGE = "usage: pnpm tokens:reencrypt [--page-size <n>]\n";

const args = process.argv.slice(2).filter((arg) => arg !== "--");
let pageSize = 200;
if (args.length > 0) {
  const size = Number(args[1]);
  if (
    args.length !== 2 ||
    args[0] !== "--page-size" ||
    !Number.isInteger(size) ||
    size < 1 ||
    size > 5000
  ) {
    process.stderr.write(USAGE);
    process.exit(2);
  }
  pageSize = size;
}

// Loaded only for a well-formed command: the database client takes a while to load.
const { createTokenCipher, parseCipherKeys, reencryptAccountTokens } =
  await import("@lifeline/core");
const { createDb } = await import("@lifeline/db");
const { loadDotEnv, parseEnv, tokensEnvSchema } = await import("@lifeline/env");

loadDotEnv();
const env = (() => {
  try {
    return parseEnv(tokensEnvSchema);
  } catch (error) {
    // The problems name each variable and what is wrong, never its value.
    process.stderr.write(`tokens:reencrypt: ${error instanceof Error ? error.message : ""}\n`);
    process.exit(2);
  }
})();
const { DATABASE_URL, TOKEN_ENCRYPTION_KEYS: keys } = env;
if (!keys) {
  process.stderr.write(
    "tokens:reencrypt: TOKEN_ENCRYPTION_KEYS is unset: list the new key first, then every key still in use\n",
  );
  process.exit(2);
}
let cipher;
try {
  cipher = createTokenCipher(parseCipherKeys(keys));
} catch (error) {
  // parseCipherKeys names the problem, never the key.
  process.stderr.write(
    `tokens:reencrypt: TOKEN_ENCRYPTION_KEYS: ${error instanceof Error ? error.message : "invalid"}\n`,
  );
  process.exit(2);
}

const db = createDb(DATABASE_URL);
try {
  const result = await reencryptAccountTokens({ db, cipher }, { pageSize });
  process.stdout.write(
    `linked accounts with tokens: ${result.scanned}; re-encrypted under ${cipher.currentKeyId}: ${result.reencrypted}; already current: ${result.current}; changed meanwhile (left as written): ${result.raced}; undecryptable: ${result.failed.length}\n`,
  );
  if (result.failed.length > 0) {
    process.stderr.write(
      `tokens:reencrypt: no listed key decrypts these accounts' tokens (keep their key, or have the owners link again): ${result.failed.join(", ")}\n`,
    );
    process.exitCode = 1;
  }
} catch (error) {
  process.stderr.write(
    `tokens:reencrypt failed: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exitCode = 1;
} finally {
  await db.$disconnect();
}
