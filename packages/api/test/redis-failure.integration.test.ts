import { createServer, type Server, type Socket } from "node:net";

import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { createHarness, expectTRPCError, uniqueEmail, type Harness } from "./harness";

const PASSWORD = "correct horse battery";

/** Runs `call` and returns how long it took, in ms. */
async function timed(call: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await call();
  return performance.now() - started;
}

/** Every way Redis can be unusable must end the same: credentials closed, global open. */
function behavesFailSafe(name: string, makeHarness: () => Promise<Harness>) {
  describe(name, () => {
    let h: Harness;
    beforeAll(async () => {
      h = await makeHarness();
    });
    afterAll(() => h.close());

    it("login fails closed with SERVICE_UNAVAILABLE, quickly", async () => {
      const ms = await timed(async () => {
        const error = await expectTRPCError(
          (await h.caller()).auth.login({ email: uniqueEmail(), password: PASSWORD }),
          "SERVICE_UNAVAILABLE",
        );
        expect(error.message).toBe("Rate limiter unavailable; try again shortly");
      });
      expect(ms).toBeLessThan(2000);
    });

    it("register fails closed and creates no account", async () => {
      const email = uniqueEmail("closed");
      const ms = await timed(() =>
        expectTRPCError(
          h.caller().then((c) => c.auth.register({ email, password: PASSWORD })),
          "SERVICE_UNAVAILABLE",
        ),
      );
      expect(ms).toBeLessThan(2000);
      expect(await h.db.user.count({ where: { email } })).toBe(0);
    });

    it("refresh fails closed", async () => {
      await expectTRPCError(
        h.caller().then((c) => c.auth.refresh({ refreshToken: "x".repeat(43) })),
        "SERVICE_UNAVAILABLE",
      );
    });

    it("malformed input is still BAD_REQUEST (validation comes first)", async () => {
      await expectTRPCError(
        h.caller().then((c) => c.auth.login({ email: "nope", password: PASSWORD })),
        "BAD_REQUEST",
      );
    });

    it("the global check fails open, flagged degraded with the cause", async () => {
      let result: Awaited<ReturnType<Harness["deps"]["rateLimits"]["checkGlobal"]>> | undefined;
      const ms = await timed(async () => {
        result = await h.deps.rateLimits.checkGlobal("198.51.100.9");
      });
      expect(ms).toBeLessThan(2000);
      expect(result).toMatchObject({ allowed: true, degraded: true });
      expect(result?.cause).toBeInstanceOf(Error);
    });
  });
}

behavesFailSafe("Redis unreachable", async () => {
  const dead = new Redis("redis://127.0.0.1:1", {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
  });
  dead.on("error", () => undefined); // connection refused, over and over: expected here
  return createHarness({ redis: dead });
});

behavesFailSafe("Redis client closed", async () => {
  const h = await createHarness();
  h.redis.disconnect();
  return h;
});

// A server that accepts connections and never answers: with the default offline queue
// ioredis would wait forever, so only our own timeouts stand between it and a hung request.
let stalled: Server;
const sockets = new Set<Socket>();
behavesFailSafe("Redis not answering", async () => {
  stalled = createServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => stalled.listen(0, "127.0.0.1", resolve));
  const address = stalled.address();
  if (typeof address !== "object" || !address) throw new Error("no address");
  const silent = new Redis({ host: "127.0.0.1", port: address.port, lazyConnect: true });
  silent.on("error", () => undefined);
  return createHarness({ redis: silent });
});
afterAll(async () => {
  for (const socket of sockets) socket.destroy();
  await new Promise((resolve) => stalled.close(resolve));
});
