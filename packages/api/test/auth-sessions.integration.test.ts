import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";

import { createHarness, expectTRPCError, uniqueEmail, type Harness } from "./harness";

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterEach(() => h.setNow(null));
afterAll(() => h.close());

const PASSWORD = "correct horse battery";
const DAY = 86_400_000;

async function signUp(label: string) {
  const email = uniqueEmail(label);
  const anon = await h.caller();
  await anon.auth.register({ email, password: PASSWORD });
  const pair = await anon.auth.login({ email, password: PASSWORD });
  return { email, user: pair.user, pair, anon };
}

describe("refresh", () => {
  it("rotates: a new pair comes back and the old refresh token is refused after the grace window", async () => {
    const { pair, anon } = await signUp("rotate");
    const next = await anon.auth.refresh({ refreshToken: pair.refreshToken });
    expect(next.refreshToken).not.toBe(pair.refreshToken);
    expect(next.user.id).toBe(pair.user.id);
    await expect((await h.caller(next.accessToken)).auth.me()).resolves.toMatchObject({
      user: { id: pair.user.id },
    });
    h.setNow(new Date(Date.now() + 31_000));
    const refused = await expectTRPCError(
      anon.auth.refresh({ refreshToken: pair.refreshToken }),
      "UNAUTHORIZED",
    );
    expect(refused.cause).toMatchObject({ reason: "credentials_invalid" });
  });

  it("treats reuse of a rotated token as theft: the whole family dies, newest token included, and it is audited", async () => {
    const { pair, anon, user } = await signUp("reuse");
    const second = await anon.auth.refresh({ refreshToken: pair.refreshToken });
    const third = await anon.auth.refresh({ refreshToken: second.refreshToken });

    await expectTRPCError(anon.auth.refresh({ refreshToken: pair.refreshToken }), "UNAUTHORIZED");
    await expectTRPCError(anon.auth.refresh({ refreshToken: third.refreshToken }), "UNAUTHORIZED");
    await expectTRPCError((await h.caller(third.accessToken)).auth.me(), "UNAUTHORIZED");

    const events = await h.db.auditEvent.findMany({
      where: { userId: user.id, type: "refresh_reuse" },
    });
    expect(events).toHaveLength(1);
    expect(events[0]?.ip).toBe("203.0.113.7");
    const session = await h.db.session.findFirstOrThrow({ where: { userId: user.id } });
    expect(session.revokedReason).toBe("refresh_reuse");
  });

  it("answers 20 concurrent refreshes with one token with one successor, and the family lives", async () => {
    const { pair, anon, user } = await signUp("race");
    const results = await Promise.all(
      Array.from({ length: 20 }, () => anon.auth.refresh({ refreshToken: pair.refreshToken })),
    );
    const successors = new Set(results.map((r) => r.refreshToken));
    expect(successors.size).toBe(1);
    const [winner] = results;
    // The winner's tokens (everyone's) still work: nothing was revoked.
    await expect((await h.caller(winner!.accessToken)).auth.me()).resolves.toBeTruthy();
    await expect(anon.auth.refresh({ refreshToken: winner!.refreshToken })).resolves.toBeTruthy();
    expect(await h.db.auditEvent.count({ where: { userId: user.id, type: "refresh_reuse" } })).toBe(
      0,
    );
  });

  it("refuses an unknown token and validates the input", async () => {
    const anon = await h.caller();
    await expectTRPCError(anon.auth.refresh({ refreshToken: "A".repeat(43) }), "UNAUTHORIZED");
    await expectTRPCError(anon.auth.refresh({ refreshToken: "" }), "BAD_REQUEST");
    await expectTRPCError(anon.auth.refresh({} as never), "BAD_REQUEST");
  });

  it("ends a family 14 days after its last use", async () => {
    const { pair, anon } = await signUp("idle");
    const start = Date.now();
    h.setNow(new Date(start + 13 * DAY));
    const kept = await anon.auth.refresh({ refreshToken: pair.refreshToken });
    h.setNow(new Date(start + 13 * DAY + 14 * DAY - 60_000));
    const keptAgain = await anon.auth.refresh({ refreshToken: kept.refreshToken });
    h.setNow(new Date(start + 13 * DAY + 14 * DAY + 14 * DAY));
    await expectTRPCError(
      anon.auth.refresh({ refreshToken: keptAgain.refreshToken }),
      "UNAUTHORIZED",
    );
  });

  it("ends a family 30 days after the login whatever the rotations", async () => {
    const { pair, anon } = await signUp("absolute");
    const start = Date.now();
    let token = pair.refreshToken;
    for (const day of [7, 14, 21, 28]) {
      h.setNow(new Date(start + day * DAY));
      token = (await anon.auth.refresh({ refreshToken: token })).refreshToken;
    }
    h.setNow(new Date(start + 30 * DAY + 60_000));
    await expectTRPCError(anon.auth.refresh({ refreshToken: token }), "UNAUTHORIZED");
  });
});

describe("logout", () => {
  it("ends the session of the given refresh token; its access token stops working", async () => {
    const { pair, anon } = await signUp("logout");
    await expect(anon.auth.logout({ refreshToken: pair.refreshToken })).resolves.toEqual({
      ok: true,
    });
    await expectTRPCError(anon.auth.refresh({ refreshToken: pair.refreshToken }), "UNAUTHORIZED");
    await expectTRPCError((await h.caller(pair.accessToken)).auth.me(), "UNAUTHORIZED");
  });

  it("succeeds quietly for an unknown token, so it reveals nothing", async () => {
    await expect(
      (await h.caller()).auth.logout({ refreshToken: "unknown-token" }),
    ).resolves.toEqual({ ok: true });
  });

  it("logoutAll ends every session of the user and no one else's", async () => {
    const { email, pair: first, anon, user } = await signUp("everywhere");
    const second = await anon.auth.login({ email, password: PASSWORD });
    const bystander = await signUp("bystander");

    const result = await (await h.caller(first.accessToken)).auth.logoutAll();
    expect(result).toEqual({ ok: true, revokedSessions: 2 });

    for (const pair of [first, second]) {
      await expectTRPCError((await h.caller(pair.accessToken)).auth.me(), "UNAUTHORIZED");
      await expectTRPCError(anon.auth.refresh({ refreshToken: pair.refreshToken }), "UNAUTHORIZED");
    }
    expect(await h.db.session.count({ where: { userId: user.id, revokedAt: null } })).toBe(0);
    await expect((await h.caller(bystander.pair.accessToken)).auth.me()).resolves.toBeTruthy();
  });
});

describe("sessions", () => {
  it("lists live sessions with the current one marked, and revokes one by id", async () => {
    const { email, pair, anon } = await signUp("devices");
    const other = await anon.auth.login({ email, password: PASSWORD });
    const me = await h.caller(pair.accessToken);

    const { sessions } = await me.auth.sessions();
    expect(sessions).toHaveLength(2);
    expect(sessions.filter((s) => s.current)).toHaveLength(1);
    expect(sessions[0]).toMatchObject({ userAgent: "vitest", ip: "203.0.113.7" });
    const otherSession = sessions.find((s) => !s.current);
    if (!otherSession) throw new Error("expected a second session");

    await expect(me.auth.revokeSession({ id: otherSession.id })).resolves.toEqual({ ok: true });
    await expectTRPCError(anon.auth.refresh({ refreshToken: other.refreshToken }), "UNAUTHORIZED");
    expect((await me.auth.sessions()).sessions).toHaveLength(1);
  });

  it("answers NOT_FOUND for someone else's session and BAD_REQUEST for a malformed id", async () => {
    const alice = await signUp("alice");
    const bob = await signUp("bob");
    const bobSessions = await (await h.caller(bob.pair.accessToken)).auth.sessions();
    const bobSessionId = bobSessions.sessions[0]?.id ?? "";
    const asAlice = await h.caller(alice.pair.accessToken);
    await expectTRPCError(asAlice.auth.revokeSession({ id: bobSessionId }), "NOT_FOUND");
    await expect((await h.caller(bob.pair.accessToken)).auth.me()).resolves.toBeTruthy();
    const error = await expectTRPCError(
      asAlice.auth.revokeSession({ id: "not-a-uuid" }),
      "BAD_REQUEST",
    );
    expect(error.message).toMatch(/id/);
  });

  it("requires a signed-in caller", async () => {
    const anon = await h.caller();
    await expectTRPCError(anon.auth.sessions(), "UNAUTHORIZED");
    await expectTRPCError(anon.auth.me(), "UNAUTHORIZED");
    await expectTRPCError(anon.auth.logoutAll(), "UNAUTHORIZED");
  });
});

describe("changePassword", () => {
  it("checks the current password, then ends the other sessions but keeps this one", async () => {
    const { email, pair, anon } = await signUp("rekey");
    const other = await anon.auth.login({ email, password: PASSWORD });
    const me = await h.caller(pair.accessToken);

    await expectTRPCError(
      me.auth.changePassword({ currentPassword: "wrong one!", newPassword: "n3w password" }),
      "FORBIDDEN",
    );
    await expectTRPCError(
      me.auth.changePassword({ currentPassword: PASSWORD, newPassword: "short" }),
      "BAD_REQUEST",
    );

    const result = await me.auth.changePassword({
      currentPassword: PASSWORD,
      newPassword: "n3w password",
    });
    expect(result).toEqual({ ok: true, revokedSessions: 1 });
    await expectTRPCError(anon.auth.refresh({ refreshToken: other.refreshToken }), "UNAUTHORIZED");
    await expect(me.auth.me()).resolves.toBeTruthy();
    await expectTRPCError(anon.auth.login({ email, password: PASSWORD }), "UNAUTHORIZED");
    await expect(anon.auth.login({ email, password: "n3w password" })).resolves.toBeTruthy();
  });
});

describe("refresh reuse grace window", () => {
  it("hands a retry within the window the same successor, while the successor is unused", async () => {
    const { pair, anon } = await signUp("retry");
    const first = await anon.auth.refresh({ refreshToken: pair.refreshToken });
    h.setNow(new Date(Date.now() + 20_000));
    const retry = await anon.auth.refresh({ refreshToken: pair.refreshToken });
    expect(retry.refreshToken).toBe(first.refreshToken);
    await expect((await h.caller(retry.accessToken)).auth.me()).resolves.toBeTruthy();
  });

  it("treats it as reuse once the successor has been used, even within the window", async () => {
    const { pair, anon, user } = await signUp("used");
    const first = await anon.auth.refresh({ refreshToken: pair.refreshToken });
    const second = await anon.auth.refresh({ refreshToken: first.refreshToken });
    await expectTRPCError(anon.auth.refresh({ refreshToken: pair.refreshToken }), "UNAUTHORIZED");
    await expectTRPCError((await h.caller(second.accessToken)).auth.me(), "UNAUTHORIZED");
    expect(await h.db.auditEvent.count({ where: { userId: user.id, type: "refresh_reuse" } })).toBe(
      1,
    );
  });

  it("revokes the family on reuse after the window", async () => {
    const { pair, anon } = await signUp("late");
    const first = await anon.auth.refresh({ refreshToken: pair.refreshToken });
    h.setNow(new Date(Date.now() + 31_000));
    await expectTRPCError(anon.auth.refresh({ refreshToken: pair.refreshToken }), "UNAUTHORIZED");
    await expectTRPCError(anon.auth.refresh({ refreshToken: first.refreshToken }), "UNAUTHORIZED");
  });

  it("is off at 0: the second of two concurrent uses revokes the family, as before", async () => {
    const strict = await createHarness({ refreshReuseGraceSeconds: 0 });
    try {
      const email = uniqueEmail("strict");
      const anon = await strict.caller();
      await anon.auth.register({ email, password: PASSWORD });
      const pair = await anon.auth.login({ email, password: PASSWORD });
      const results = await Promise.allSettled([
        anon.auth.refresh({ refreshToken: pair.refreshToken }),
        anon.auth.refresh({ refreshToken: pair.refreshToken }),
      ]);
      expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
      const session = await strict.db.session.findFirstOrThrow({
        where: { user: { email } },
      });
      expect(session.revokedReason).toBe("refresh_reuse");
    } finally {
      await strict.close();
    }
  });
});
