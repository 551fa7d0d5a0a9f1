/**
 * JSON.parse, except that integers beyond 2^53 become strings instead of silently rounded
 * numbers. Instagram's token response can carry `user_id` as a bare 17-digit number; every
 * provider id must stay exact, so no provider body is parsed any other way.
 * Throws SyntaxError like JSON.parse.
 */
export function parseJsonExact(text: string): unknown {
  return JSON.parse(quoteUnsafeIntegers(text));
}

const DIGIT = /[0-9]/;

/** Rewrites unsafe integer literals outside strings as string literals; leaves the rest. */
function quoteUnsafeIntegers(text: string): string {
  let out: string[] | undefined;
  let copiedTo = 0;
  let i = 0;
  while (i < text.length) {
    const ch = text[i];
    if (ch === '"') {
      // Skip the string, honouring escapes.
      i++;
      while (i < text.length && text[i] !== '"') i += text[i] === "\\" ? 2 : 1;
      i++;
      continue;
    }
    if (ch === "-" || (ch !== undefined && DIGIT.test(ch))) {
      const start = i;
      i++;
      while (i < text.length && /[0-9.eE+-]/.test(text[i] ?? "")) i++;
      const literal = text.slice(start, i);
      if (/^-?\d{16,}$/.test(literal) && !Number.isSafeInteger(Number(literal))) {
        out ??= [];
        out.push(text.slice(copiedTo, start), `"${literal}"`);
        copiedTo = i;
      }
      continue;
    }
    i++;
  }
  if (!out) return text;
  out.push(text.slice(copiedTo));
  return out.join("");
}
