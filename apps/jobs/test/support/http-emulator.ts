import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { Readable } from "node:stream";

/** Answers a request: a Response, or null to take over the raw Node response itself. */
export type HttpHandler = (
  request: Request,
  raw: ServerResponse,
) => Promise<Response | null> | Response | null;

async function toRequest(req: IncomingMessage, origin: string): Promise<Request> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (typeof value === "string") headers.set(name, value);
  }
  const method = req.method ?? "GET";
  return new Request(new URL(req.url ?? "/", origin), {
    method,
    headers,
    ...(method === "GET" || method === "HEAD" ? {} : { body: Buffer.concat(chunks) }),
  });
}

/**
 * An emulator (or any fetch-style handler) on a real local port, for processes that cannot
 * share this one's msw: the jobs processes the crash test spawns.
 */
export async function serveOverHttp(handler: HttpHandler) {
  const sockets = new Set<Socket>();
  let origin = "";
  const server = createServer((req, res) => {
    void (async () => {
      try {
        const response = await handler(await toRequest(req, origin), res);
        if (!response) return;
        res.writeHead(response.status, Object.fromEntries(response.headers));
        if (response.body) Readable.fromWeb(response.body as never).pipe(res);
        else res.end();
      } catch {
        res.writeHead(500).end();
      }
    })();
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
