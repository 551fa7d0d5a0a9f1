import { Transform, type TransformCallback } from "node:stream";

/**
 * Decodes Gmail's attachment response, `{"attachmentId":"…","size":N,"data":"<base64url>"}`,
 * as it streams in: the `data` string goes through a base64 decoder four characters at a
 * time and nothing else is buffered, so a 25 MB attachment never sits in memory whole. At the
 * end the decoded length must equal `size` (and `expectedSize`, when the message listed one).
 */
export function gmailAttachmentDecoder(options: {
  expectedSize: number | null;
  /** `providerCode` "length_mismatch": the bytes are not the size promised (a wrong file). */
  fail: (message: string, providerCode?: string) => Error;
}): Transform {
  type State = "start" | "key" | "inKey" | "colon" | "value" | "data" | "other" | "skip" | "end";
  let state: State = "start";
  let key = "";
  let other = "";
  let inOtherString = false;
  let escaped = false;
  let depth = 0;
  let pending = "";
  let decoded = 0;
  let sawData = false;
  let declaredSize: number | null = null;

  const BASE64 = /^[A-Za-z0-9+/_=-]*$/;

  function emit(stream: Transform, force: boolean): void {
    const usable = force ? pending.length : pending.length - (pending.length % 4);
    if (usable === 0) return;
    const chunk = Buffer.from(pending.slice(0, usable), "base64url");
    pending = pending.slice(usable);
    decoded += chunk.length;
    stream.push(chunk);
  }

  function finishOther(): void {
    if (key === "size" && /^\d+$/.test(other)) declaredSize = Number(other);
    other = "";
    state = "key";
  }

  return new Transform({
    transform(this: Transform, chunk: Buffer, _encoding, callback: TransformCallback) {
      const text = chunk.toString("latin1");
      let i = 0;
      while (i < text.length) {
        const ch = text[i] ?? "";
        switch (state) {
          case "start":
            if (ch === "{") state = "key";
            else if (!/\s/.test(ch)) {
              callback(options.fail("not a JSON object"));
              return;
            }
            i++;
            break;
          case "key":
            if (ch === '"') {
              key = "";
              state = "inKey";
            } else if (ch === "}") state = "end";
            else if (!/[\s,]/.test(ch)) {
              callback(options.fail("malformed JSON"));
              return;
            }
            i++;
            break;
          case "inKey":
            if (ch === '"') state = "colon";
            else if (key.length < 64) key += ch;
            i++;
            break;
          case "colon":
            if (ch === ":") state = "value";
            else if (!/\s/.test(ch)) {
              callback(options.fail("malformed JSON"));
              return;
            }
            i++;
            break;
          case "value":
            if (/\s/.test(ch)) i++;
            else if (ch === '"' && key === "data") {
              sawData = true;
              state = "data";
              i++;
            } else if (ch === "{" || ch === "[") {
              depth = 1;
              inOtherString = false;
              state = "skip";
              i++;
            } else {
              inOtherString = ch === '"';
              other = inOtherString ? "" : ch;
              state = "other";
              i++;
            }
            break;
          case "data": {
            if (escaped) {
              // The second half of an escape split across two chunks.
              escaped = false;
              if (ch === "/") pending += "/";
              else if (ch !== "n" && ch !== "r") {
                {
                  callback(options.fail("attachment data is not base64"));
                  return;
                }
              }
              i++;
              break;
            }
            // The fast path: copy everything up to the next quote or backslash at once.
            const quote = text.indexOf('"', i);
            const backslash = text.indexOf("\\", i);
            const stop =
              backslash !== -1 && (quote === -1 || backslash < quote) ? backslash : quote;
            const piece = text.slice(i, stop === -1 ? text.length : stop);
            if (!BASE64.test(piece)) {
              callback(options.fail("attachment data is not base64"));
              return;
            }
            pending += piece;
            emit(this, false);
            if (stop === -1) {
              i = text.length;
            } else if (stop === quote) {
              state = "key";
              i = stop + 1;
            } else {
              // Escapes inside base64: `\/` is a slash; `\n`, `\r` are line breaks to drop.
              const next = text[stop + 1];
              if (next === undefined) {
                escaped = true;
                i = text.length;
              } else {
                if (next === "/") pending += "/";
                else if (next !== "n" && next !== "r") {
                  {
                    callback(options.fail("attachment data is not base64"));
                    return;
                  }
                }
                i = stop + 2;
              }
            }
            break;
          }
          case "other":
            if (inOtherString) {
              if (escaped) escaped = false;
              else if (ch === "\\") escaped = true;
              else if (ch === '"') {
                inOtherString = false;
                finishOther();
                i++;
                break;
              } else if (other.length < 256) other += ch;
              i++;
            } else if (/[\s,}]/.test(ch)) {
              finishOther();
              // Re-read the delimiter in the key state (a `}` ends the object).
            } else {
              if (other.length < 256) other += ch;
              i++;
            }
            break;
          case "skip":
            if (inOtherString) {
              if (escaped) escaped = false;
              else if (ch === "\\") escaped = true;
              else if (ch === '"') inOtherString = false;
            } else if (ch === '"') inOtherString = true;
            else if (ch === "{" || ch === "[") depth++;
            else if (ch === "}" || ch === "]") {
              depth--;
              if (depth === 0) state = "key";
            }
            i++;
            break;
          case "end":
            if (!/\s/.test(ch)) {
              callback(options.fail("trailing data after JSON"));
              return;
            }
            i++;
            break;
        }
      }
      callback();
    },
    flush(this: Transform, callback: TransformCallback) {
      if (state !== "end" || !sawData) {
        {
          callback(options.fail("attachment response was cut off or had no data"));
          return;
        }
      }
      emit(this, true);
      for (const expected of [declaredSize, options.expectedSize]) {
        if (expected !== null && expected !== decoded) {
          {
            callback(
              options.fail(
                `attachment decoded to ${decoded} bytes where ${expected} were promised`,
                "length_mismatch",
              ),
            );
            return;
          }
        }
      }
      callback();
    },
  });
}
