import { execFile } from "node:child_process";
import { randomUUID } from "node:crypto";
import { fileURLToPath } from "node:url";

import { createDb, type Db } from "@lifeline/db";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";

import { setUserRole, UnknownUserError } from "../src/scripts/set-user-role";

/**
 * `pnpm admin:grant`: the role change and its audit in-process, then the script itself
 * (arguments, output, exit codes) against this run's database. Each run of the script
 * costs a couple of seconds of start-up, so it runs three times only.
 */

const appDir = fileURLToPath(new URL("..", import.meta.url));
const CLI = { via: "cli", osUser: "tester" };

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function adminGrant(...args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ["--import", "tsx", "src/scripts/admin-grant.ts", ...args],
      {
        cwd: appDir,
        env: { PATH: process.env.PATH, NODE_ENV: "test", DATABASE_URL: inject("databaseUrl") },
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

async function newUser() {
  return db.user.create({
    data: { email: `grant-${randomUUID().slice(0, 8)}@example.com`, passwordHash: "x" },
  });
}

const roleOf = async (id: string) => (await db.user.findUniqueOrThrow({ where: { id } })).role;

describe("setUserRole", () => {
  it("grants admin (the email in any case), audited with who ran it; again changes nothing", async () => {
    const user = await newUser();
    const change = await setUserRole(db, ` ${user.email.toUpperCase()} `, "admin", CLI);
    expect(change).toEqual({ email: user.email, userId: user.id, role: "admin", changed: true });
    expect(await roleOf(user.id)).toBe("admin");
    await expect(setUserRole(db, user.email, "admin", CLI)).resolves.toMatchObject({
      changed: false,
    });
    const events = await db.auditEvent.findMany({ where: { userId: user.id } });
    expect(events.map((e) => [e.type, e.data])).toEqual([
      ["admin_granted", { from: "user", to: "admin", via: "cli", osUser: "tester" }],
    ]);
  });

  it("revokes it, audited", async () => {
    const user = await newUser();
    await db.user.update({ where: { id: user.id }, data: { role: "admin" } });
    await setUserRole(db, user.email, "user", CLI);
    expect(await roleOf(user.id)).toBe("user");
    const events = await db.auditEvent.findMany({ where: { userId: user.id } });
    expect(events.map((e) => e.type)).toEqual(["admin_revoked"]);
  });

  it("refuses an unknown email with UnknownUserError, writing nothing", async () => {
    const before = await db.auditEvent.count();
    await expect(setUserRole(db, "nobody-here@example.com", "admin", CLI)).rejects.toThrow(
      new UnknownUserError("nobody-here@example.com"),
    );
    expect(await db.auditEvent.count()).toBe(before);
  });
});

describe("the admin:grant script", () => {
  it("grants and says so; exits 0", async () => {
    const user = await newUser();
    const run = await adminGrant(user.email, "--");
    expect(run).toEqual({
      code: 0,
      stdout: `${user.email} is now an admin (from their next request)\n`,
      stderr: "",
    });
    expect(await roleOf(user.id)).toBe("admin");
  });

  it("says plainly that no user has an unknown email; exits 1", async () => {
    expect(await adminGrant("nobody-here@example.com", "--revoke")).toEqual({
      code: 1,
      stdout: "",
      stderr: "admin:grant: no user has the email nobody-here@example.com\n",
    });
  });

  it("prints its usage without exactly one email; exits 2", async () => {
    expect(await adminGrant("--revoke")).toEqual({
      code: 2,
      stdout: "",
      stderr: "usage: pnpm admin:grant <email> [--revoke]\n",
    });
  });
});
