import { randomBytes } from "node:crypto";

import { Answer, json } from "../emulator";
import type { Checked, AccessRecord } from "../oauth-store";

/** Meta's error envelope (Instagram and Facebook Graph). */
export function graphError(
  code: number,
  message: string,
  options: {
    subcode?: number;
    status?: number;
    type?: string;
    transient?: boolean;
    headers?: Record<string, string>;
  } = {},
): Response {
  return json(
    {
      error: {
        message,
        type: options.type ?? "OAuthException",
        code,
        ...(options.subcode ? { error_subcode: options.subcode } : {}),
        ...(options.transient ? { is_transient: true } : {}),
        fbtrace_id: randomBytes(8).toString("base64url"),
      },
    },
    options.status ?? 400,
    options.headers,
  );
}

/** The 190 a dead token gets (400, as Meta sends it), with the subcode for why. */
export function tokenError(check: Exclude<Checked<AccessRecord>, { ok: true }>): Answer {
  switch (check.reason) {
    case "expired":
      return new Answer(
        graphError(
          190,
          "Error validating access token: Session has expired on Friday, 01-Aug-25 10:00:00 PDT.",
          {
            subcode: 463,
          },
        ),
      );
    case "revoked":
      return new Answer(
        graphError(190, "Error validating access token: The user has not authorized application.", {
          subcode: 458,
        }),
      );
    default:
      return new Answer(graphError(190, "Invalid OAuth access token - Cannot parse access token"));
  }
}

/** `+0000` offsets, as Meta writes them. */
export function metaTime(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, "+0000");
}

/** Meta's paging block; `next` keeps the request's other parameters. */
export function graphPaging(
  ctx: { url: URL; base: string; path: string },
  offset: number,
  count: number,
  total: number,
  encode: (offset: number) => string,
): Record<string, unknown> {
  const cursors = { before: encode(offset), after: encode(offset + count) };
  if (offset + count >= total) return { cursors };
  const next = new URL(`${ctx.base}${ctx.path}`);
  for (const [key, value] of ctx.url.searchParams) next.searchParams.set(key, value);
  next.searchParams.set("after", cursors.after);
  return { cursors, next: next.toString() };
}
