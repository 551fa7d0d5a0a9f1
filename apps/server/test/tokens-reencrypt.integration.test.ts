import { execFile } from "node:child_process";
import { randomUUID } from "node:crypto";
import { fileURLToPath } from "node:url";

import {
  createTokenCipher,
  decryptAccountTokens,
  encryptAccountTokens,
  generateCipherKey,
  parseCipherKeys,
  reencryptAccountTokens,
  type TokenCipher,
} from "@lifeline/core";
import { createDb, type Db } from "@lifeline/db";
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from "vitest";

/**
 * Key rotation of provider tokens at rest: rows written under an old key still decrypt once
 * a new key is listed first; `pnpm tokens:reencrypt` rewrites them all under the new key, to
 * the same tokens, and a second run has nothing to do.
 */

const appDir = fileURLToPath(new URL("..", import.meta.url));
const OLD = generateCipherKey("old-1");
const NEW = generateCipherKey("new-1");
const cipherOf = (keys: string): TokenCipher => createTokenCipher(parseCipherKeys(keys));

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function reencrypt(keys: string, ...args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ["--import", "tsx", "src/scripts/reencrypt-tokens.ts", ...args],
      {
        cwd: appDir,
        env: {
          PATH: process.env.PATH,
          NODE_ENV: "test",
          DATABASE_URL: inject("databaseUrl"),
          TOKEN_ENCRYPTION_KEYS: keys,
        },
      },
      (error, stdout, stderr) => {
        resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr });
      },
    );
  });
}

let db: Db;
beforeAll(() => {
  db = createDb(inject("databaseUrl"));
});
afterAll(() => db.$disconnect());
// Other files' linked accounts were written under keys this file does not know.
beforeEach(() => db.linkedAccount.deleteMany({}));

async function seed(cipher: TokenCipher, withRefresh = true) {
  const user = await db.user.create({
    data: { email: `rotate-${randomUUID().slice(0, 8)}@example.com`, passwordHash: "x" },
  });
  const id = randomUUID();
  const tokens = {
    accessToken: `access-${randomUUID()}`,
    ...(withRefresh ? { refreshToken: `refresh-${randomUUID()}` } : {}),
    expiresAt: new Date(Date.now() + 3600_000),
    scopes: ["a"],
    issuedAt: new Date(),
  };
  await db.linkedAccount.create({
    data: {
      id,
      userId: user.id,
      provider: "x",
      providerAccountId: `x-${id}`,
      ...encryptAccountTokens(cipher, id, tokens),
    },
  });
  return { id, tokens };
}

const rows = () => db.linkedAccount.findMany({ where: { accessTokenEnc: { not: null } } });

describe("reencryptAccountTokens", () => {
  it("rewrites old-key rows under the current key, the same tokens, and is idempotent", async () => {
    const old = await Promise.all([
      seed(cipherOf(OLD)),
      seed(cipherOf(OLD), false),
      seed(cipherOf(OLD)),
      seed(cipherOf(OLD)),
      seed(cipherOf(OLD)),
    ]);
    const current = await seed(cipherOf(NEW));
    const rotated = cipherOf(`${NEW},${OLD}`);
    // Before: the old rows still decrypt with the new key listed first.
    for (const row of await rows()) expect(decryptAccountTokens(rotated, row)).not.toBeNull();

    const result = await reencryptAccountTokens({ db, cipher: rotated }, { pageSize: 2 });
    expect(result).toEqual({ scanned: 6, reencrypted: 5, current: 1, raced: 0, failed: [] });

    const newOnly = cipherOf(NEW);
    for (const { id, tokens } of [...old, current]) {
      const row = await db.linkedAccount.findUniqueOrThrow({ where: { id } });
      expect(row.accessTokenEnc).toMatch(/^v1\.new-1\./);
      if (tokens.refreshToken) expect(row.refreshTokenEnc).toMatch(/^v1\.new-1\./);
      else expect(row.refreshTokenEnc).toBeNull();
      const decrypted = decryptAccountTokens(newOnly, row);
      expect(decrypted?.accessToken).toBe(tokens.accessToken);
      expect(decrypted?.refreshToken).toBe(tokens.refreshToken);
    }
    const again = await reencryptAccountTokens({ db, cipher: rotated });
    expect(again).toMatchObject({ scanned: 6, reencrypted: 0, current: 6 });
  });

  it("lists rows no configured key decrypts, and leaves them as they are", async () => {
    const lost = await seed(cipherOf(generateCipherKey("gone-1")));
    const before = await db.linkedAccount.findUniqueOrThrow({ where: { id: lost.id } });
    const result = await reencryptAccountTokens({ db, cipher: cipherOf(`${NEW},${OLD}`) });
    expect(result.failed).toEqual([lost.id]);
    const after = await db.linkedAccount.findUniqueOrThrow({ where: { id: lost.id } });
    expect(after.accessTokenEnc).toBe(before.accessTokenEnc);
  });
});

describe("pnpm tokens:reencrypt", () => {
  it("re-encrypts, prints the counts (never a token), and a second run changes nothing", async () => {
    const seeded = await Promise.all([seed(cipherOf(OLD)), seed(cipherOf(OLD))]);
    const first = await reencrypt(`${NEW},${OLD}`);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toContain("linked accounts with tokens: 2; re-encrypted under new-1: 2");
    for (const { tokens } of seeded) {
      expect(first.stdout + first.stderr).not.toContain(tokens.accessToken);
    }
    for (const row of await rows()) {
      expect(decryptAccountTokens(cipherOf(NEW), row)).not.toBeNull();
    }
    const second = await reencrypt(`${NEW},${OLD}`, "--page-size", "1");
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).toContain("re-encrypted under new-1: 0; already current: 2");
  }, 60_000);

  it("refuses bad keys and bad arguments with exit 2, without echoing the key", async () => {
    const bad = await reencrypt("not-a-key");
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("TOKEN_ENCRYPTION_KEYS");
    expect(bad.stderr).not.toContain("not-a-key");
    const usage = await reencrypt(NEW, "--page-size", "0");
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain("usage: pnpm tokens:reencrypt");
  }, 60_000);
});
