import type { FastifyInstance, LightMyRequestResponse } from "fastify";

export { LEAK } from "@lifeline/vitest-config";

export interface CallOptions {
  token?: string;
  ip?: string;
  headers?: Record<string, string>;
}

function headers(options: CallOptions, json: boolean): Record<string, string> {
  return {
    ...(json ? { "content-type": "application/json" } : {}),
    ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
    ...options.headers,
  };
}

/** One tRPC mutation (POST) or query (GET with ?input=) through the real HTTP stack. */
export function trpcCall(
  app: FastifyInstance,
  procedure: string,
  input: unknown,
  options: CallOptions & { method?: "GET" | "POST" } = {},
): Promise<LightMyRequestResponse> {
  const method = options.method ?? "POST";
  const query =
    method === "GET" && input !== undefined
      ? `?input=${encodeURIComponent(JSON.stringify(input))}`
      : "";
  return app.inject({
    method,
    url: `/trpc/${procedure}${query}`,
    headers: headers(options, method === "POST"),
    remoteAddress: options.ip ?? "198.51.100.1",
    ...(method === "POST" && input !== undefined ? { payload: JSON.stringify(input) } : {}),
  });
}

/** A tRPC batch of POST calls: one HTTP request, `calls` as [procedure, input] pairs. */
export function trpcBatch(
  app: FastifyInstance,
  calls: [string, unknown][],
  options: CallOptions = {},
): Promise<LightMyRequestResponse> {
  const inputs = Object.fromEntries(calls.map(([, input], i) => [String(i), input]));
  return app.inject({
    method: "POST",
    url: `/trpc/${calls.map(([name]) => name).join(",")}?batch=1`,
    headers: headers(options, true),
    remoteAddress: options.ip ?? "198.51.100.1",
    payload: JSON.stringify(inputs),
  });
}

export interface TrpcError {
  error: { message: string; data: { code: string; reason?: string; httpStatus: number } };
}

export interface RestError {
  error: { code: string; message: string; reason?: string; requestId: string };
}
