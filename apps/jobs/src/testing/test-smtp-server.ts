import type { AddressInfo } from "node:net";

import { SMTPServer } from "smtp-server";

/** One message the test SMTP server accepted, decoded enough to assert on. */
export interface ReceivedEmail {
  to: string[];
  subject: string;
  /** The text/plain part, transfer encoding undone. */
  text: string;
  /** The text/html part, transfer encoding undone. */
  html: string;
  /** The message as it arrived. */
  raw: string;
}

export interface SmtpRefusal {
  /** 4xx: the client should try again later; 5xx: never. */
  code: number;
  message: string;
}

export interface TestSmtpServer {
  /** smtp://127.0.0.1:<port>, for SMTP_URL. */
  url: string;
  received: ReceivedEmail[];
  /** Delivery attempts so far (RCPT TO commands), accepted or refused. */
  attempts: () => number;
  /** Refuse every recipient with this reply from now on; null accepts again. */
  refuse: (refusal: SmtpRefusal | null) => void;
  /** The first message (already received or still to come) that `match` accepts. */
  waitFor: (match: (email: ReceivedEmail) => boolean, timeoutMs?: number) => Promise<ReceivedEmail>;
  close: () => Promise<void>;
}

function unfoldHeaders(block: string): Map<string, string> {
  const headers = new Map<string, string>();
  for (const line of block.replace(/\r?\n[ \t]+/g, " ").split(/\r?\n/)) {
    const colon = line.indexOf(":");
    if (colon > 0)
      headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  return headers;
}

function splitEntity(entity: string): { headers: Map<string, string>; body: string } {
  const match = /\r?\n\r?\n/.exec(entity);
  if (!match) return { headers: unfoldHeaders(entity), body: "" };
  return {
    headers: unfoldHeaders(entity.slice(0, match.index)),
    body: entity.slice(match.index + match[0].length),
  };
}

function decodeBody(body: string, encoding: string | undefined): string {
  switch (encoding?.toLowerCase()) {
    case "base64":
      return Buffer.from(body.replace(/\s+/g, ""), "base64").toString("utf8");
    case "quoted-printable": {
      const bytes = body
        .replace(/=\r?\n/g, "")
        .replace(/=([0-9A-F]{2})/gi, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
      return Buffer.from(bytes, "latin1").toString("utf8");
    }
    default:
      return body;
  }
}

/** The decoded text/plain and text/html parts of a (possibly multipart) message. */
function parts(entity: string): { type: string; content: string }[] {
  const { headers, body } = splitEntity(entity);
  const type = headers.get("content-type") ?? "text/plain";
  const boundary = /boundary="?([^";]+)"?/i.exec(type)?.[1];
  if (type.toLowerCase().startsWith("multipart/") && boundary) {
    return body
      .split(`--${boundary}`)
      .slice(1, -1)
      .flatMap((part) => parts(part.replace(/^\r?\n/, "")));
  }
  const mime = type.split(";")[0]?.trim().toLowerCase() ?? "text/plain";
  return [{ type: mime, content: decodeBody(body, headers.get("content-transfer-encoding")) }];
}

function decode(raw: string, to: string[]): ReceivedEmail {
  const found = parts(raw);
  return {
    to,
    subject: splitEntity(raw).headers.get("subject") ?? "",
    text: found.find((p) => p.type === "text/plain")?.content ?? "",
    html: found.find((p) => p.type === "text/html")?.content ?? "",
    raw,
  };
}

/**
 * A real SMTP server in the test process (the smtp-server package, plain SMTP on a free
 * port of 127.0.0.1, no authentication) that keeps what it receives and can be told to
 * refuse, as a mail server having trouble (4xx) or rejecting an address (5xx) would.
 */
export async function startTestSmtpServer(): Promise<TestSmtpServer> {
  const received: ReceivedEmail[] = [];
  const waiters = new Set<() => void>();
  let refusal: SmtpRefusal | null = null;
  let attempts = 0;

  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS", "AUTH"],
    logger: false,
    onRcptTo(_address, _session, callback) {
      attempts += 1;
      if (!refusal) {
        callback();
        return;
      }
      const error = Object.assign(new Error(refusal.message), { responseCode: refusal.code });
      callback(error);
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (chunk: Buffer) => chunks.push(chunk));
      stream.on("end", () => {
        const to = session.envelope.rcptTo.map((r) => r.address);
        received.push(decode(Buffer.concat(chunks).toString("utf8"), to));
        for (const wake of waiters) wake();
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.server.address() as AddressInfo;

  return {
    url: `smtp://127.0.0.1:${port}`,
    received,
    attempts: () => attempts,
    refuse: (next) => {
      refusal = next;
    },
    waitFor: (match, timeoutMs = 15_000) =>
      new Promise((resolve, reject) => {
        const check = () => {
          const found = received.find(match);
          if (!found) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve(found);
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(
            new Error(`No matching email within ${timeoutMs} ms (${received.length} received)`),
          );
        }, timeoutMs);
        waiters.add(check);
        check();
      }),
    close: () => new Promise<void>((resolve) => server.close(resolve)),
  };
}
