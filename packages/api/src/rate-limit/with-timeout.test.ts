import { spawn, type ChildProcess } from "node:child_process";
import { connect, type Socket } from "node:net";
import { once } from "node:events";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { RedisTimeoutError, withTimeout } from "./with-timeout";

// An echo server in another process, standing in for Redis: its answer arrives while this
// process is busy, exactly as a real dependency's would.
const ECHO_SERVER = `
const server = require("node:net").createServer((s) => s.on("data", (d) => s.write(d)));
server.listen(0, "127.0.0.1", () => console.log(server.address().port));
`;

let child: ChildProcess;
let socket: Socket;
beforeAll(async () => {
  child = spawn(process.execPath, ["-e", ECHO_SERVER], { stdio: ["ignore", "pipe", "inherit"] });
  const [chunk] = (await once(child.stdout!, "data")) as [Buffer];
  socket = connect(Number(chunk.toString().trim()), "127.0.0.1");
  await once(socket, "connect");
});
afterAll(() => {
  socket.destroy();
  child.kill();
});

function blockEventLoop(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    // A burst of synchronous work: nothing else in this process runs meanwhile.
  }
}

describe("withTimeout", () => {
  it("rejects when the answer really does not come", async () => {
    const never = new Promise<never>(() => undefined);
    await expect(withTimeout(never, 50, "Nothing")).rejects.toBeInstanceOf(RedisTimeoutError);
  });

  it("does not blame the dependency for a busy event loop", async () => {
    const answer = new Promise<string>((resolve) => {
      socket.once("data", (data) => resolve(data.toString()));
    });
    // From the check phase, so the next turn of the loop runs timers before it reads I/O:
    // the worst case, where a naive timeout fires although the answer is already here.
    const { guarded } = await new Promise<{ guarded: Promise<string> }>((resolve) => {
      setImmediate(() => {
        socket.write("ping");
        const pending = withTimeout(answer, 100, "Echo");
        // Blocked for 3x the timeout: the answer arrives meanwhile but is not read yet.
        blockEventLoop(300);
        resolve({ guarded: pending });
      });
    });
    await expect(guarded).resolves.toBe("ping");
  });
});
