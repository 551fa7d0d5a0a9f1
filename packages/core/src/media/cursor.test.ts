import { randomBytes, randomUUID } from "node:crypto";

import { describe, expect, it } from "vitest";

import { AppError } from "../errors/app-error";
import { decodeTimelineCursor, encodeTimelineCursor } from "./cursor";

const secret = randomBytes(32);
const user = randomUUID();
const scope = "upload:image::";
const position = { takenAt: new Date("2024-05-06T07:08:09.123Z"), id: randomUUID() };

function refused(run: () => unknown): AppError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe("BAD_REQUEST");
    expect((error as AppError).details?.map((d) => d.path)).toEqual(["cursor"]);
    return error as AppError;
  }
  throw new Error("the cursor was accepted");
}

describe("timeline cursor", () => {
  it("round-trips a position, in 55 base64url characters", () => {
    const cursor = encodeTimelineCursor(secret, user, scope, position);
    expect(cursor).toMatch(/^[A-Za-z0-9_-]{55}$/);
    expect(decodeTimelineCursor(secret, user, scope, cursor)).toEqual(position);
  });

  it("keeps dates before 1970 and far ahead exactly", () => {
    for (const takenAt of [
      new Date("1901-12-13T20:45:52.001Z"),
      new Date("9999-12-31T23:59:59.999Z"),
    ]) {
      const cursor = encodeTimelineCursor(secret, user, scope, { ...position, takenAt });
      expect(decodeTimelineCursor(secret, user, scope, cursor).takenAt).toEqual(takenAt);
    }
  });

  it("is refused for another user, another filter set, or under another secret", () => {
    const cursor = encodeTimelineCursor(secret, user, scope, position);
    refused(() => decodeTimelineCursor(secret, randomUUID(), scope, cursor));
    refused(() => decodeTimelineCursor(secret, user, "upload:video::", cursor));
    refused(() => decodeTimelineCursor(randomBytes(32), user, scope, cursor));
  });

  it("is refused when any bit is changed, when cut or extended, or spelled another way", () => {
    const cursor = encodeTimelineCursor(secret, user, scope, position);
    const bytes = Buffer.from(cursor, "base64url");
    for (let i = 0; i < bytes.length; i++) {
      const changed = Buffer.from(bytes);
      changed[i] = (changed[i] ?? 0) ^ 0x01;
      refused(() => decodeTimelineCursor(secret, user, scope, changed.toString("base64url")));
    }
    refused(() => decodeTimelineCursor(secret, user, scope, cursor.slice(0, -1)));
    refused(() => decodeTimelineCursor(secret, user, scope, `${cursor}A`));
    refused(() => decodeTimelineCursor(secret, user, scope, ""));
    refused(() => decodeTimelineCursor(secret, user, scope, "!".repeat(55)));
    // Base64's spare bits: the same 41 bytes, another final character.
    const last = cursor.at(-1) ?? "A";
    const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    const sibling = alphabet[alphabet.indexOf(last) ^ 1] ?? "A";
    refused(() => decodeTimelineCursor(secret, user, scope, cursor.slice(0, -1) + sibling));
  });

  it("says what to do in its message", () => {
    const error = refused(() => decodeTimelineCursor(secret, user, scope, "x".repeat(55)));
    expect(error.message).toMatch(/^Invalid input: cursor: /);
    expect(error.message).toContain("start again without one");
  });
});
