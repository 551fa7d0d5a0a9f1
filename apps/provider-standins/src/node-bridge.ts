import type { IncomingMessage, ServerResponse } from "node:http";

/** A Node request as a Fetch API Request (bodies here are small form posts). */
export async function toRequest(req: IncomingMessage, origin: string): Promise<Request> {
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    headers.set(name, Array.isArray(value) ? value.join(", ") : value);
  }
  const method = req.method ?? "GET";
  let body: Buffer | undefined;
  if (method !== "GET" && method !== "HEAD") {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    body = Buffer.concat(chunks);
  }
  return new Request(new URL(req.url ?? "/", origin), {
    method,
    headers,
    ...(body ? { body: new Uint8Array(body) } : {}),
  });
}

/**
 * Writes a Fetch API Response to Node. `Response.error()` (an emulated network failure)
 * drops the connection; a body shorter than its Content-Length (an emulated corrupt
 * download) is sent and the connection closed, so the client sees the short body at once.
 */
export async function sendResponse(response: Response, res: ServerResponse): Promise<void> {
  if (response.type === "error") {
    res.socket?.destroy();
    return;
  }
  const body = Buffer.from(await response.arrayBuffer());
  const headers: Record<string, string> = {};
  response.headers.forEach((value, name) => {
    headers[name] = value;
  });
  const declared = headers["content-length"];
  res.writeHead(response.status, headers);
  if (declared !== undefined && Number(declared) !== body.length) {
    res.end(body, () => res.socket?.destroy());
    return;
  }
  res.end(body);
}
