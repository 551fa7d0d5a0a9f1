/** What every template produces: one message with a plain-text and an HTML body. */
export interface RenderedEmail {
  subject: string;
  text: string;
  html: string;
}

const HTML_ESCAPES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

/** Escapes text for HTML content and quoted attributes; everything interpolated goes through it. */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] ?? c);
}

/**
 * A block of the message. Text blocks become paragraphs; a link block becomes a button-like
 * link in HTML and the bare URL on its own line in text (mail clients make it clickable).
 */
export type Block = string | { href: string; label: string };

/** "1 hour", "24 hours", "30 minutes": how long a link works, in words. */
export function duration(seconds: number): string {
  const plural = (n: number, unit: string) => `${n} ${unit}${n === 1 ? "" : "s"}`;
  if (seconds % 3600 === 0) return plural(seconds / 3600, "hour");
  return plural(Math.max(1, Math.round(seconds / 60)), "minute");
}

const SIGNATURE = "— Lifeline";

/** Builds both bodies from the same blocks, so the two versions never say different things. */
export function renderEmail(subject: string, blocks: Block[]): RenderedEmail {
  const text = [...blocks.map((b) => (typeof b === "string" ? b : b.href)), SIGNATURE].join("\n\n");
  const body = blocks
    .map((b) =>
      typeof b === "string"
        ? `<p>${escapeHtml(b)}</p>`
        : `<p><a href="${escapeHtml(b.href)}" style="font-weight:bold">${escapeHtml(b.label)}</a></p>\n` +
          `<p style="font-size:12px;color:#555">${escapeHtml(b.href)}</p>`,
    )
    .join("\n");
  const html = [
    "<!doctype html>",
    '<html><head><meta charset="utf-8"><title>' + escapeHtml(subject) + "</title></head>",
    '<body style="font-family:sans-serif;line-height:1.5;max-width:560px">',
    body,
    `<p>${escapeHtml(SIGNATURE)}</p>`,
    "</body></html>",
  ].join("\n");
  return { subject, text: `${text}\n`, html: `${html}\n` };
}
