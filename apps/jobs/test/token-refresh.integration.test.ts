import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

import {
  composeEmail,
  createAccountLocks,
  decryptAccountTokens,
  dueAccountPages,
  ensureFreshAccess,
  refreshLinkedAccount,
  type RefreshDeps,
} from "@lifeline/core";
import { createDb, type Db } from "@lifeline/db";
import { createLogger, type Logger } from "@lifeline/logger";
import { createProviderRegistry, isProviderError, type ProviderId } from "@lifeline/providers";
import { createEmulators, providerHandlers, type BaseEmulator } from "@lifeline/providers/testing";
import { createJobProducer, createRedis, sendEmailJob, type JobProducer } from "@lifeline/queue";
import type { Redis } from "ioredis";
import { setupServer } from "msw/node";
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from "vitest";

import { flushLogger } from "./support/log-lines";
import {
  DAY,
  emulatedProvidersConfig,
  HOUR,
  seedLinkedAccount,
  testCipher,
  tokenCalls,
} from "./support/linked-accounts";

/**
 * The refresh engine (core: refreshLinkedAccount, ensureFreshAccess, the due query) against
 * the real Postgres and Redis of the test run and the six providers' emulators (msw).
 */

const config = emulatedProvidersConfig();
const cipher = testCipher();
const logDir = mkdtempSync(path.join(tmpdir(), "lifeline-refresh-"));
let emulators: Record<ProviderId, BaseEmulator>;
const server = setupServer();

let db: Db;
let redis: Redis;
let jobs: JobProducer;
let logger: Logger;
let deps: RefreshDeps;
let prefix: string;

beforeAll(async () => {
  server.listen({ onUnhandledRequest: "error" });
  db = createDb(inject("databaseUrl"));
  prefix = `${inject("redisKeyPrefix")}refresh:`;
  redis = createRedis(inject("redisUrl"), createLogger({ name: "t", level: "silent" }));
  jobs = createJobProducer({ connection: redis, redisKeyPrefix: prefix });
  logger = createLogger({ name: "jobs", level: "debug", logDir, console: false });
});

afterAll(async () => {
  server.close();
  await jobs.close();
  redis.disconnect();
  await db.$disconnect();
});

beforeEach(() => {
  emulators = createEmulators({ media: 0 });
  server.resetHandlers(...providerHandlers(config, emulators));
  deps = {
    db,
    providers: createProviderRegistry(config, { logger }),
    cipher,
    locks: createAccountLocks({ redis, keyPrefix: prefix, ttlMs: 20_000, waitMs: 5_000 }),
    jobs,
    logger,
  };
});

const row = (id: string) => db.linkedAccount.findUniqueOrThrow({ where: { id } });
const storedTokens = async (id: string) => decryptAccountTokens(cipher, await row(id));

/** Email jobs about this account (each queue state), by template. */
async function emailsAbout(accountId: string, template: string) {
  const all = await jobs.queue("email").getJobs(["waiting", "delayed", "active", "completed"]);
  return all.filter(
    (job) =>
      job.name === sendEmailJob.name &&
      (job.data as { linkedAccountId?: string; template?: string }).linkedAccountId === accountId &&
      (job.data as { template?: string }).template === template,
  );
}

describe("refreshLinkedAccount, per provider", () => {
  for (const provider of ["instagram", "x", "google", "microsoft", "linkedin"] as const) {
    it(`${provider}: refreshes against the emulator and stores the new pair in one write`, async () => {
      const emulator = emulators[provider];
      const seeded = await seedLinkedAccount(db, cipher, emulator, {
        expiresInMs: provider === "instagram" || provider === "linkedin" ? 5 * DAY : 30 * 60_000,
        ageMs: provider === "instagram" ? 2 * DAY : 0,
      });
      const result = await refreshLinkedAccount(deps, seeded.id, { trigger: "schedule" });
      expect(result.outcome).toBe("refreshed");
      expect(tokenCalls(emulator)).toBe(1);

      const after = await row(seeded.id);
      const tokens = await storedTokens(seeded.id);
      expect(tokens?.accessToken).not.toBe(seeded.tokens.accessToken);
      // The emulator accepts the stored access token: it is the one it just issued.
      expect(emulator.oauth.checkAccess(tokens?.accessToken ?? null).ok).toBe(true);
      expect(after.status).toBe("active");
      expect(after.lastRefreshAt).not.toBeNull();
      expect(after.lastRefreshError).toBeNull();
      expect(after.expiresAt?.getTime()).toBeGreaterThan(Date.now() + 30 * 60_000);
      // Never plain text at rest.
      expect(after.accessTokenEnc).not.toContain(tokens?.accessToken ?? "-");
      expect(after.accessTokenEnc).toMatch(/^v1\.test-1\./);
    });
  }

  it("x: the rotated refresh token replaces the old one, which the emulator has spent", async () => {
    const seeded = await seedLinkedAccount(db, cipher, emulators.x, { expiresInMs: 10 * 60_000 });
    const old = seeded.tokens.refreshToken ?? "";
    expect((await refreshLinkedAccount(deps, seeded.id, { trigger: "manual" })).outcome).toBe(
      "refreshed",
    );
    const stored = await storedTokens(seeded.id);
    expect(stored?.refreshToken).toBeDefined();
    expect(stored?.refreshToken).not.toBe(old);
    expect(emulators.x.oauth.refresh.get(old)?.used).toBe(true);
    // The stored one works: a second refresh succeeds (a stale one would be refused).
    expect((await refreshLinkedAccount(deps, seeded.id, { trigger: "manual" })).outcome).toBe(
      "refreshed",
    );
  });

  it("microsoft: the rotated refresh token replaces the old one in the same write", async () => {
    const seeded = await seedLinkedAccount(db, cipher, emulators.microsoft, {
      expiresInMs: 10 * 60_000,
    });
    const old = seeded.tokens.refreshToken ?? "";
    await refreshLinkedAccount(deps, seeded.id, { trigger: "manual" });
    const stored = await storedTokens(seeded.id);
    expect(stored?.refreshToken).toBeDefined();
    expect(stored?.refreshToken).not.toBe(old);
    expect(emulators.microsoft.oauth.refresh.has(stored?.refreshToken ?? "")).toBe(true);
  });

  it("google and linkedin keep their refresh token (not rotated)", async () => {
    for (const provider of ["google", "linkedin"] as const) {
      const seeded = await seedLinkedAccount(db, cipher, emulators[provider], {
        expiresInMs: 10 * 60_000,
      });
      await refreshLinkedAccount(deps, seeded.id, { trigger: "manual" });
      expect((await storedTokens(seeded.id))?.refreshToken).toBe(seeded.tokens.refreshToken);
    }
  });

  it("instagram: a token under 24 h old is never sent to the provider", async () => {
    const seeded = await seedLinkedAccount(db, cipher, emulators.instagram, { ageMs: HOUR });
    const result = await refreshLinkedAccount(deps, seeded.id, { trigger: "manual" });
    expect(result.outcome).toBe("not_refreshable");
    expect(tokenCalls(emulators.instagram)).toBe(0);
    expect((await row(seeded.id)).accessTokenEnc).toBe(
      (await db.linkedAccount.findUniqueOrThrow({ where: { id: seeded.id } })).accessTokenEnc,
    );
  });

  it("instagram: an expired token cannot be revived: needs_reauth without a provider call", async () => {
    const seeded = await seedLinkedAccount(db, cipher, emulators.instagram, {
      ageMs: 61 * DAY,
      expiresInMs: -DAY,
    });
    const result = await refreshLinkedAccount(deps, seeded.id, { trigger: "schedule" });
    expect(result.outcome).toBe("needs_reauth");
    expect(tokenCalls(emulators.instagram)).toBe(0);
    expect((await row(seeded.id)).status).toBe("needs_reauth");
  });

  it("facebook: no refresh; the owner is warned once before expiry, and the provider is not called", async () => {
    const seeded = await seedLinkedAccount(db, cipher, emulators.facebook, {
      expiresInMs: 3 * DAY,
    });
    expect((await refreshLinkedAccount(deps, seeded.id, { trigger: "schedule" })).outcome).toBe(
      "expiry_warned",
    );
    const warnedAt = (await row(seeded.id)).expiryWarnedAt;
    expect(warnedAt).not.toBeNull();
    // A second sweep: nothing due, no second email.
    expect((await refreshLinkedAccount(deps, seeded.id, { trigger: "schedule" })).outcome).toBe(
      "not_refreshable",
    );
    expect(await emailsAbout(seeded.id, "provider-expiring")).toHaveLength(1);
    expect((await row(seeded.id)).expiryWarnedAt).toEqual(warnedAt);
    expect(emulators.facebook.requests).toHaveLength(0);
    expect((await row(seeded.id)).status).toBe("active");
  });

  it("facebook: far from expiry, nothing is sent", async () => {
    const seeded = await seedLinkedAccount(db, cipher, emulators.facebook);
    expect((await refreshLinkedAccount(deps, seeded.id, { trigger: "schedule" })).outcome).toBe(
      "not_refreshable",
    );
    expect(await emailsAbout(seeded.id, "provider-expiring")).toHaveLength(0);
  });

  it("facebook: a lapsed link becomes needs_reauth (one reconnect email)", async () => {
    const seeded = await seedLinkedAccount(db, cipher, emulators.facebook, {
      ageMs: 61 * DAY,
      expiresInMs: -HOUR,
    });
    expect((await refreshLinkedAccount(deps, seeded.id, { trigger: "schedule" })).outcome).toBe(
      "needs_reauth",
    );
    expect(await emailsAbout(seeded.id, "reconnect-provider")).toHaveLength(1);
  });
});

describe("failures", () => {
  it("a revoked grant: needs_reauth, one audit event and one email across two attempts", async () => {
    const seeded = await seedLinkedAccount(db, cipher, emulators.x, { expiresInMs: 10 * 60_000 });
    emulators.x.oauth.revokeAccount(
      emulators.x.oauth.refresh.get(seeded.tokens.refreshToken ?? "")?.grant.accountId ?? "",
    );

    const first = await refreshLinkedAccount(deps, seeded.id, { trigger: "schedule" });
    expect(first.outcome).toBe("needs_reauth");
    const second = await refreshLinkedAccount(deps, seeded.id, { trigger: "manual" });
    expect(second).toEqual({ outcome: "inactive", status: "needs_reauth" });

    const after = await row(seeded.id);
    expect(after.status).toBe("needs_reauth");
    expect(after.reauthNotifiedAt).not.toBeNull();
    expect(after.lastRefreshError).toMatch(/^needs_relink: /);
    // The tokens stay as they were (nothing to refresh them with until a new link).
    expect((await storedTokens(seeded.id))?.accessToken).toBe(seeded.tokens.accessToken);
    expect(tokenCalls(emulators.x)).toBe(1);
    const audits = await db.auditEvent.findMany({
      where: { userId: seeded.userId, type: "account_needs_reauth" },
    });
    expect(audits).toHaveLength(1);
    expect(audits[0]?.data).toMatchObject({ linkedAccountId: seeded.id, provider: "x" });
    expect(JSON.stringify(audits[0]?.data)).not.toContain(seeded.tokens.accessToken);
    const emails = await emailsAbout(seeded.id, "reconnect-provider");
    expect(emails).toHaveLength(1);
    expect(emails[0]?.data).toEqual({
      template: "reconnect-provider",
      userId: seeded.userId,
      linkedAccountId: seeded.id,
    });
  });

  for (const provider of ["google", "microsoft", "linkedin"] as const) {
    it(`${provider}: a revoked grant is needs_reauth too`, async () => {
      const seeded = await seedLinkedAccount(db, cipher, emulators[provider], {
        expiresInMs: 10 * 60_000,
      });
      for (const grant of emulators[provider].oauth.grants.values()) grant.revoked = true;
      const result = await refreshLinkedAccount(deps, seeded.id, { trigger: "schedule" });
      expect(result.outcome).toBe("needs_reauth");
      expect((await row(seeded.id)).status).toBe("needs_reauth");
    });
  }

  it("a 503 changes nothing but lastRefreshError, and the next attempt succeeds", async () => {
    const seeded = await seedLinkedAccount(db, cipher, emulators.google, {
      expiresInMs: 10 * 60_000,
    });
    const before = await row(seeded.id);
    emulators.google.faults.add({
      path: "/token",
      response: { type: "server_error", status: 503 },
    });

    const failed = await refreshLinkedAccount(deps, seeded.id, { trigger: "schedule" });
    expect(failed.outcome).toBe("retry_later");
    const during = await row(seeded.id);
    expect(during.status).toBe("active");
    expect(during.accessTokenEnc).toBe(before.accessTokenEnc);
    expect(during.refreshTokenEnc).toBe(before.refreshTokenEnc);
    expect(during.expiresAt).toEqual(before.expiresAt);
    expect(during.lastRefreshAt).toBeNull();
    expect(during.lastRefreshError).toMatch(/^retry_later: /);
    expect(await emailsAbout(seeded.id, "reconnect-provider")).toHaveLength(0);

    const retried = await refreshLinkedAccount(deps, seeded.id, { trigger: "schedule" });
    expect(retried.outcome).toBe("refreshed");
    expect((await row(seeded.id)).lastRefreshError).toBeNull();
  });

  it("a 429 and a network failure are retry_later as well", async () => {
    const seeded = await seedLinkedAccount(db, cipher, emulators.x, { expiresInMs: 10 * 60_000 });
    emulators.x.faults.add({
      path: "/2/oauth2/token",
      response: { type: "rate_limit", retryAfterSeconds: 30 },
    });
    emulators.x.faults.add({ path: "/2/oauth2/token", response: { type: "network" } });
    expect((await refreshLinkedAccount(deps, seeded.id, { trigger: "schedule" })).outcome).toBe(
      "retry_later",
    );
    expect((await refreshLinkedAccount(deps, seeded.id, { trigger: "schedule" })).outcome).toBe(
      "retry_later",
    );
    expect((await row(seeded.id)).status).toBe("active");
    // The refresh token was never spent: the third attempt works.
    expect((await refreshLinkedAccount(deps, seeded.id, { trigger: "schedule" })).outcome).toBe(
      "refreshed",
    );
  });

  it("a wrong client secret is misconfigured: logged at error, the account stays active", async () => {
    const seeded = await seedLinkedAccount(db, cipher, emulators.google, {
      expiresInMs: 10 * 60_000,
    });
    const wrong = emulatedProvidersConfig();
    wrong.google.credentials = { clientId: "standin-google-client", clientSecret: "wrong" };
    const result = await refreshLinkedAccount(
      { ...deps, providers: createProviderRegistry(wrong) },
      seeded.id,
      { trigger: "schedule" },
    );
    expect(result.outcome).toBe("misconfigured");
    const after = await row(seeded.id);
    expect(after.status).toBe("active");
    expect(after.lastRefreshError).toMatch(/^misconfigured: /);
    await flushLogger(logger);
    const errors = readFileSync(path.join(logDir, "error.log"), "utf8");
    expect(errors).toContain(seeded.id);
  });

  it("tokens that no configured key decrypts are misconfigured, not the owner's problem", async () => {
    const seeded = await seedLinkedAccount(db, testCipher(), emulators.x, {
      expiresInMs: 10 * 60_000,
    });
    const result = await refreshLinkedAccount(
      { ...deps, cipher: testCipher("other-1:" + Buffer.alloc(32, 7).toString("base64")) },
      seeded.id,
      { trigger: "schedule" },
    );
    expect(result.outcome).toBe("misconfigured");
    expect((await row(seeded.id)).status).toBe("active");
    expect(tokenCalls(emulators.x)).toBe(0);
  });

  it("unknown, unlinked and needs_reauth accounts are left alone", async () => {
    const gone = await refreshLinkedAccount(deps, "00000000-0000-4000-8000-000000000000", {
      trigger: "manual",
    });
    expect(gone).toEqual({ outcome: "inactive", status: "unknown" });
    const flagged = await seedLinkedAccount(db, cipher, emulators.x, { status: "needs_reauth" });
    expect((await refreshLinkedAccount(deps, flagged.id, { trigger: "manual" })).outcome).toBe(
      "inactive",
    );
    expect(tokenCalls(emulators.x)).toBe(0);
  });
});

describe("concurrency", () => {
  it("two refreshes of one account at once call the provider once", async () => {
    const seeded = await seedLinkedAccount(db, cipher, emulators.x, { expiresInMs: 10 * 60_000 });
    const results = await Promise.all([
      refreshLinkedAccount(deps, seeded.id, { trigger: "manual" }),
      refreshLinkedAccount(deps, seeded.id, { trigger: "manual" }),
    ]);
    expect(results.map((r) => r.outcome).sort()).toEqual(["refreshed", "refreshed_elsewhere"]);
    expect(tokenCalls(emulators.x)).toBe(1);
    expect((await row(seeded.id)).status).toBe("active");
  });

  it("two on-demand callers of an expiring account get the same new tokens, one provider call", async () => {
    const seeded = await seedLinkedAccount(db, cipher, emulators.microsoft, {
      expiresInMs: 60_000,
    });
    const [a, b] = await Promise.all([
      ensureFreshAccess(deps, seeded.id),
      ensureFreshAccess(deps, seeded.id),
    ]);
    expect(tokenCalls(emulators.microsoft)).toBe(1);
    expect(a.tokens.accessToken).toBe(b.tokens.accessToken);
    expect(a.tokens.accessToken).not.toBe(seeded.tokens.accessToken);
    expect(a.accountId).toBe((await row(seeded.id)).providerAccountId);
  });
});

describe("ensureFreshAccess", () => {
  it("returns the stored tokens while they have more than the margin left", async () => {
    const seeded = await seedLinkedAccount(db, cipher, emulators.x, { expiresInMs: HOUR });
    const access = await ensureFreshAccess(deps, seeded.id);
    expect(access.tokens.accessToken).toBe(seeded.tokens.accessToken);
    expect(tokenCalls(emulators.x)).toBe(0);
  });

  it("refreshes first when under the margin, and the new tokens work at the provider", async () => {
    const seeded = await seedLinkedAccount(db, cipher, emulators.google, {
      expiresInMs: 2 * 60_000,
    });
    const access = await ensureFreshAccess(deps, seeded.id);
    expect(access.tokens.accessToken).not.toBe(seeded.tokens.accessToken);
    expect(emulators.google.oauth.checkAccess(access.tokens.accessToken).ok).toBe(true);
  });

  it("a dead grant is a needs_relink ProviderError (and the account is flagged)", async () => {
    const seeded = await seedLinkedAccount(db, cipher, emulators.google, { expiresInMs: 60_000 });
    for (const grant of emulators.google.oauth.grants.values()) grant.revoked = true;
    const error = await ensureFreshAccess(deps, seeded.id).catch((e: unknown) => e);
    expect(isProviderError(error) && error.code).toBe("needs_relink");
    expect((await row(seeded.id)).status).toBe("needs_reauth");
    // Asked again: refused at once, no provider call.
    const again = await ensureFreshAccess(deps, seeded.id).catch((e: unknown) => e);
    expect(isProviderError(again) && again.code).toBe("needs_relink");
    expect(tokenCalls(emulators.google)).toBe(1);
  });

  it("a transient failure is a retry_later ProviderError, the stored tokens untouched", async () => {
    const seeded = await seedLinkedAccount(db, cipher, emulators.x, { expiresInMs: 60_000 });
    emulators.x.faults.add({ path: "/2/oauth2/token", response: { type: "server_error" } });
    const error = await ensureFreshAccess(deps, seeded.id).catch((e: unknown) => e);
    expect(isProviderError(error) && error.code).toBe("retry_later");
    expect((await storedTokens(seeded.id))?.refreshToken).toBe(seeded.tokens.refreshToken);
  });
});

describe("the due query", () => {
  it("finds exactly what each provider's rule says is due, in pages", async () => {
    await db.linkedAccount.deleteMany({});
    const due = await Promise.all([
      seedLinkedAccount(db, cipher, emulators.x, { expiresInMs: HOUR }),
      seedLinkedAccount(db, cipher, emulators.google, { expiresInMs: -HOUR }),
      seedLinkedAccount(db, cipher, emulators.microsoft, { expiresInMs: 6 * HOUR }),
      seedLinkedAccount(db, cipher, emulators.instagram, {
        ageMs: 40 * DAY,
        expiresInMs: 20 * DAY,
      }),
      seedLinkedAccount(db, cipher, emulators.linkedin, { expiresInMs: 3 * DAY }),
      seedLinkedAccount(db, cipher, emulators.facebook, { expiresInMs: 5 * DAY }),
      seedLinkedAccount(db, cipher, emulators.facebook, { ageMs: 61 * DAY, expiresInMs: -DAY }),
      seedLinkedAccount(db, cipher, emulators.linkedin, {
        noRefreshToken: true,
        expiresInMs: 2 * DAY,
      }),
    ]);
    const notDue = await Promise.all([
      seedLinkedAccount(db, cipher, emulators.x, { expiresInMs: 8 * HOUR }),
      seedLinkedAccount(db, cipher, emulators.instagram, { ageMs: HOUR, expiresInMs: 20 * DAY }),
      seedLinkedAccount(db, cipher, emulators.instagram, { ageMs: 2 * DAY, expiresInMs: 40 * DAY }),
      seedLinkedAccount(db, cipher, emulators.linkedin, { expiresInMs: 20 * DAY }),
      seedLinkedAccount(db, cipher, emulators.facebook, { expiresInMs: 20 * DAY }),
      seedLinkedAccount(db, cipher, emulators.x, { expiresInMs: HOUR, status: "needs_reauth" }),
    ]);
    const warned = await seedLinkedAccount(db, cipher, emulators.facebook, {
      expiresInMs: 4 * DAY,
    });
    await db.linkedAccount.update({
      where: { id: warned.id },
      data: { expiryWarnedAt: new Date() },
    });
    notDue.push(warned);
    // Refreshed 10 minutes ago (on demand, or earlier in this sweep): left alone.
    const recent = await seedLinkedAccount(db, cipher, emulators.google, { expiresInMs: HOUR });
    await db.linkedAccount.update({
      where: { id: recent.id },
      data: { lastRefreshAt: new Date(Date.now() - 10 * 60_000) },
    });
    notDue.push(recent);

    const collect = async (pageSize: number) => {
      const ids: string[] = [];
      let pages = 0;
      for await (const page of dueAccountPages(deps, pageSize)) {
        expect(page.length).toBeLessThanOrEqual(pageSize);
        ids.push(...page.map((a) => a.id));
        pages++;
      }
      return { ids, pages };
    };
    const whole = await collect(500);
    expect(whole.ids.sort()).toEqual(due.map((d) => d.id).sort());
    const paged = await collect(3);
    expect(paged.pages).toBe(3);
    expect(paged.ids.sort()).toEqual(whole.ids.sort());
    expect(new Set(paged.ids).size).toBe(paged.ids.length);
  });

  it("is a range scan of the (status, expires_at) index", async () => {
    await db.$executeRawUnsafe("SET enable_seqscan = off");
    try {
      const plan = await db.$queryRawUnsafe<{ "QUERY PLAN": string }[]>(
        `EXPLAIN SELECT id FROM linked_accounts WHERE status = 'active' AND expires_at <= now() + interval '30 days' ORDER BY expires_at, id LIMIT 500`,
      );
      expect(plan.map((p) => p["QUERY PLAN"]).join("\n")).toMatch(
        /linked_accounts_status_expires_at_idx/,
      );
    } finally {
      await db.$executeRawUnsafe("SET enable_seqscan = on");
    }
  });
});

describe("the owner's emails", () => {
  const compose = (job: Parameters<typeof composeEmail>[1]) =>
    composeEmail(
      {
        db,
        tokenSecret: Buffer.alloc(32, 1),
        now: () => new Date(),
        config: {
          frontendUrl: "https://app.example",
          verificationTtlSeconds: 3600,
          passwordResetTtlSeconds: 3600,
        },
      },
      job,
      `email-test-${Math.random()}`,
    );

  it("the reconnect email names the provider and the handle; none once linked again", async () => {
    const seeded = await seedLinkedAccount(db, cipher, emulators.x, { status: "needs_reauth" });
    const job = {
      template: "reconnect-provider",
      userId: seeded.userId,
      linkedAccountId: seeded.id,
    } as const;
    const composed = await compose(job);
    expect(composed.kind).toBe("send");
    if (composed.kind !== "send") return;
    expect(composed.email.subject).toBe("Reconnect your X (Twitter) account");
    expect(composed.email.text).toContain("X (Twitter) (@x-tester)");
    expect(composed.email.text).toContain("https://app.example/");

    await db.linkedAccount.update({ where: { id: seeded.id }, data: { status: "active" } });
    expect(await compose(job)).toEqual({ kind: "skip", reason: "nothing_to_reconnect" });
  });

  it("the expiry warning gives the date the link ends", async () => {
    const seeded = await seedLinkedAccount(db, cipher, emulators.facebook, {
      expiresInMs: 3 * DAY,
    });
    const expiresAt = (await row(seeded.id)).expiresAt ?? new Date(0);
    const composed = await compose({
      template: "provider-expiring",
      userId: seeded.userId,
      linkedAccountId: seeded.id,
    });
    expect(composed.kind).toBe("send");
    if (composed.kind !== "send") return;
    const day = expiresAt.toISOString().slice(0, 10);
    expect(composed.email.subject).toBe(`Your Facebook link ends on ${day}`);
    expect(composed.email.text).toContain("Facebook (@facebook-tester)");
  });

  it("another user's account id names nothing", async () => {
    const seeded = await seedLinkedAccount(db, cipher, emulators.x, { status: "needs_reauth" });
    const other = await seedLinkedAccount(db, cipher, emulators.google, { status: "needs_reauth" });
    const composed = await compose({
      template: "reconnect-provider",
      userId: seeded.userId,
      linkedAccountId: other.id,
    });
    expect(composed.kind).toBe("send");
    if (composed.kind !== "send") return;
    expect(composed.email.text).not.toContain("google");
    expect(composed.email.subject).toBe("Reconnect a linked account");
  });
});

describe("logs", () => {
  it("never carry a token: every token the emulators issued is absent from every log line", async () => {
    // The log file holds every test above; the tokens checked are this test's emulators'.
    const seeded = await seedLinkedAccount(db, cipher, emulators.x, { expiresInMs: 10 * 60_000 });
    await refreshLinkedAccount(deps, seeded.id, { trigger: "manual" });
    emulators.x.faults.add({ path: "/2/oauth2/token", response: { type: "server_error" } });
    await refreshLinkedAccount(deps, seeded.id, { trigger: "manual" });
    await flushLogger(logger);
    const logged = readFileSync(path.join(logDir, "combined.log"), "utf8");
    const lines = logged.split("\n").filter(Boolean);
    const attempts = lines.filter((l) => l.includes('"msg":"token refresh"'));
    expect(attempts.length).toBeGreaterThanOrEqual(2);
    for (const line of attempts.slice(-2)) {
      expect(JSON.parse(line)).toMatchObject({ provider: "x", linkedAccountId: seeded.id });
    }
    const tokens = Object.values(emulators).flatMap((e) => [
      ...e.oauth.access.keys(),
      ...e.oauth.refresh.keys(),
    ]);
    expect(tokens.length).toBeGreaterThan(2);
    for (const token of tokens) expect(logged).not.toContain(token);
    // Nor the ciphertexts.
    expect(logged).not.toMatch(/v1\.test-1\./);
  });
});
