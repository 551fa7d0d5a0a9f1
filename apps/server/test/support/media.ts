import { randomBytes } from "node:crypto";
import net from "node:net";

import type { LightMyRequestResponse } from "fastify";

import type { TestServer } from "../../src/testing";
import { trpcCall } from "./http";

const PASSWORD = "correct horse battery";
let sequence = 0;

/** A new account, signed in: its access token and user id. */
export async function signUp(server: TestServer, label = "media") {
  const email = `${label}-${Date.now().toString(36)}-${++sequence}@example.com`;
  await trpcCall(server.app, "auth.register", { email, password: PASSWORD });
  const login = await trpcCall(server.app, "auth.login", { email, password: PASSWORD });
  const data = login.json<{
    result: { data: { accessToken: string; refreshToken: string; user: { id: string } } };
  }>().result.data;
  return {
    email,
    accessToken: data.accessToken,
    refreshToken: data.refreshToken,
    userId: data.user.id,
  };
}

export interface FormPart {
  name: string;
  /** A file part when set (the `filename` of Content-Disposition). */
  filename?: string;
  /** The part's Content-Type. */
  type?: string;
  data: Buffer | string;
}

/** A multipart/form-data body, byte for byte, and its Content-Type header. */
export function multipartBody(parts: FormPart[], options: { close?: boolean } = {}) {
  const boundary = `----lifeline-test-${randomBytes(8).toString("hex")}`;
  const chunks: Buffer[] = [];
  for (const part of parts) {
    const disposition =
      `form-data; name="${part.name}"` +
      (part.filename !== undefined ? `; filename="${part.filename}"` : "");
    const headers =
      `--${boundary}\r\nContent-Disposition: ${disposition}\r\n` +
      (part.type ? `Content-Type: ${part.type}\r\n` : "") +
      "\r\n";
    chunks.push(Buffer.from(headers), Buffer.from(part.data), Buffer.from("\r\n"));
  }
  if (options.close !== false) chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(chunks), contentType: `multipart/form-data; boundary=${boundary}` };
}

/** A form with one file part named `file`. */
export function fileForm(data: Buffer, filename = "file.bin", type = "application/octet-stream") {
  return multipartBody([{ name: "file", filename, type, data }]);
}

/** POST /api/media through the whole app (inject). */
export function postMedia(
  server: TestServer,
  token: string | null,
  form: { body: Buffer | string; contentType: string },
): Promise<LightMyRequestResponse> {
  return server.app.inject({
    method: "POST",
    url: "/api/media",
    headers: {
      "content-type": form.contentType,
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    payload: form.body,
  });
}

/** A file as the API answers it. */
export interface UploadedItem {
  id: string;
  source: string;
  kind: string;
  status: string;
  takenAt: string;
  mime: string | null;
  sizeBytes: number | null;
  sha256: string | null;
  originalName: string | null;
  width: number | null;
  height: number | null;
  durationMs: number | null;
  thumbnail: string;
  contentUrl: string | null;
}

/**
 * Sends the head of an upload over a real socket: the request line, headers announcing
 * `contentLength` bytes, and `body` (fewer), then leaves the socket open; `close()` drops it
 * the way a client that goes away does.
 */
export async function partialUpload(
  url: string,
  token: string,
  contentType: string,
  contentLength: number,
  body: Buffer,
) {
  const { hostname, port } = new URL(url);
  const socket = net.connect(Number(port), hostname);
  await new Promise<void>((resolve, reject) => {
    socket.once("connect", resolve);
    socket.once("error", reject);
  });
  socket.on("error", () => undefined);
  socket.write(
    `POST /api/media HTTP/1.1\r\nHost: ${hostname}:${port}\r\nAuthorization: Bearer ${token}\r\n` +
      `Content-Type: ${contentType}\r\nContent-Length: ${contentLength}\r\n\r\n`,
  );
  socket.write(body);
  return {
    close: () => socket.destroy(),
  };
}
