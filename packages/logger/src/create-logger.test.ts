import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

import { describe, expect, it } from "vitest";

import { createLogger } from "./index";

function flush(logger: ReturnType<typeof createLogger>): Promise<void> {
  return new Promise((resolve) => {
    logger.flush(() => resolve());
  });
}

describe("createLogger", () => {
  it("writes JSON lines to combined.log and errors only to error.log", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "lifeline-log-"));
    const logger = createLogger({ name: "t", level: "info", logDir: dir, console: false });
    logger.info({ marker: "info-line" }, "hello");
    logger.error({ marker: "error-line" }, "boom");
    await flush(logger);
    await new Promise((r) => setTimeout(r, 50));
    const combined = readFileSync(path.join(dir, "combined.log"), "utf8").trim().split("\n");
    const errors = readFileSync(path.join(dir, "error.log"), "utf8").trim().split("\n");
    expect(combined.map((l) => (JSON.parse(l) as { marker: string }).marker)).toEqual([
      "info-line",
      "error-line",
    ]);
    expect(errors.map((l) => (JSON.parse(l) as { marker: string }).marker)).toEqual(["error-line"]);
    expect(JSON.parse(errors[0] ?? "{}")).toMatchObject({ level: "error", msg: "boom" });
  });

  it("redacts secrets at any logged depth", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "lifeline-log-"));
    const logger = createLogger({ name: "t", level: "info", logDir: dir, console: false });
    logger.info({
      password: "hunter2-top",
      input: { password: "hunter2-nested", refreshToken: "rt-secret" },
      req: { headers: { authorization: "Bearer abc.def.ghi", cookie: "sid=1" } },
      deep: { a: { accessToken: "at-secret" } },
      keep: "visible",
    });
    await flush(logger);
    await new Promise((r) => setTimeout(r, 50));
    const text = readFileSync(path.join(dir, "combined.log"), "utf8");
    for (const secret of [
      "hunter2-top",
      "hunter2-nested",
      "rt-secret",
      "abc.def.ghi",
      "sid=1",
      "at-secret",
    ]) {
      expect(text).not.toContain(secret);
    }
    expect(text).toContain("visible");
    expect(text).toContain("[redacted]");
  });
});

describe("redaction edge cases", () => {
  it("redacts inside arrays, any letter case, and deeper than four levels", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "lifeline-log-"));
    const logger = createLogger({ name: "t", level: "info", logDir: dir, console: false });
    logger.info({
      list: [{ Authorization: "Bearer in-array" }],
      a: { b: { c: { d: { e: { refresh_token: "five-deep" } } } } },
      child: "kept",
    });
    logger.child({ token: "in-bindings" }).info("from a child");
    await flush(logger);
    await new Promise((r) => setTimeout(r, 50));
    const text = readFileSync(path.join(dir, "combined.log"), "utf8");
    for (const secret of ["in-array", "five-deep", "in-bindings"])
      expect(text).not.toContain(secret);
    expect(text).toContain("kept");
  });

  it("leaves objects without secrets untouched (no copy) and errors to pino's serializer", async () => {
    const { redactSecrets } = await import("./redaction");
    // Names that say what they hold, however they are spelled.
    expect(
      redactSecrets({
        S3_SECRET_ACCESS_KEY: "k",
        TOKEN_SECRET: "s",
        dbPassword: "p",
        mediaCount: 3,
      }),
    ).toEqual({
      S3_SECRET_ACCESS_KEY: "[redacted]",
      TOKEN_SECRET: "[redacted]",
      dbPassword: "[redacted]",
      mediaCount: 3,
    });
    const clean = { a: { b: [1, 2, { c: "x" }] } };
    expect(redactSecrets(clean)).toBe(clean);
    const error = new Error("boom");
    expect(redactSecrets({ err: error }).err).toBe(error);
  });
});
