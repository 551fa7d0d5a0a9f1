import type { FastifyInstance, FastifyRequest } from "fastify";

/** Deeper than any input of ours; far shallower than what overflows a recursive parser. */
export const MAX_JSON_DEPTH = 32;

/**
 * The deepest nesting of arrays and objects in a JSON text, stopping as soon as it passes
 * `limit`. One pass over the characters, skipping string contents (brackets in strings do
 * not count), so it costs far less than the parse it guards.
 */
export function jsonDepthExceeds(text: string, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > limit) return true;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return false;
}

function tooDeep(): Error & { statusCode: number } {
  return Object.assign(new Error(`JSON is nested deeper than ${MAX_JSON_DEPTH} levels`), {
    statusCode: 400,
  });
}

/**
 * Bounds JSON nesting on both transports before anything parses it: request bodies (tRPC
 * and REST share Fastify's JSON parser) and tRPC's `?input=` query (GET calls). A 500 000
 * level body would otherwise overflow a recursive walk somewhere downstream (a RangeError,
 * i.e. a 500) instead of a clear 400.
 */
export function registerJsonDepthLimit(app: FastifyInstance): void {
  const parseJson = app.getDefaultJsonParser("error", "error");
  app.removeContentTypeParser("application/json");
  app.addContentTypeParser(
    "application/json",
    { parseAs: "string" },
    (req: FastifyRequest, body: string | Buffer, done) => {
      const text = typeof body === "string" ? body : body.toString("utf8");
      if (jsonDepthExceeds(text, MAX_JSON_DEPTH)) {
        done(tooDeep(), undefined);
        return;
      }
      void parseJson(req, text, done);
    },
  );
  app.addHook("onRequest", async (req) => {
    const query = req.query as Record<string, unknown>;
    const input = query.input;
    if (typeof input === "string" && jsonDepthExceeds(input, MAX_JSON_DEPTH)) throw tooDeep();
  });
}
