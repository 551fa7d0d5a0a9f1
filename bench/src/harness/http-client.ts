import http from "node:http";
import { performance } from "node:perf_hooks";

export interface HttpAnswer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
  /** From sending the request to the last byte of the answer. */
  ms: number;
}

export interface HttpClient {
  request: (
    method: "GET" | "POST",
    url: string,
    options?: { headers?: Record<string, string>; json?: unknown },
  ) => Promise<HttpAnswer>;
  close: () => void;
}

/**
 * A keep-alive HTTP client with a connection pool of its own (node:http, not fetch), so two
 * clients in one process never share sockets: a latency probe is not queued behind a storm's
 * requests on the client side, only on the server's. Rejects on connection errors and when
 * an answer takes longer than `timeoutMs`.
 */
export function createHttpClient({
  connections,
  timeoutMs,
}: {
  connections: number;
  timeoutMs: number;
}): HttpClient {
  const agent = new http.Agent({ keepAlive: true, maxSockets: connections });
  return {
    request: (method, url, { headers = {}, json } = {}) =>
      new Promise((resolve, reject) => {
        const body = json === undefined ? undefined : JSON.stringify(json);
        const started = performance.now();
        const req = http.request(
          url,
          {
            method,
            agent,
            headers: {
              ...headers,
              ...(body === undefined
                ? {}
                : {
                    "content-type": "application/json",
                    "content-length": Buffer.byteLength(body),
                  }),
            },
          },
          (res) => {
            const chunks: Buffer[] = [];
            res.on("data", (chunk: Buffer) => chunks.push(chunk));
            res.on("error", reject);
            res.on("end", () => {
              clearTimeout(timer);
              resolve({
                status: res.statusCode ?? 0,
                headers: res.headers,
                body: Buffer.concat(chunks).toString("utf8"),
                ms: performance.now() - started,
              });
            });
          },
        );
        const timer = setTimeout(() => {
          req.destroy(new Error(`no answer within ${timeoutMs} ms`));
        }, timeoutMs);
        req.on("error", (error) => {
          clearTimeout(timer);
          reject(error);
        });
        req.end(body);
      }),
    close: () => agent.destroy(),
  };
}
