import { createHmac, timingSafeEqual } from "node:crypto";

import { AppError } from "../errors/app-error";

/** A position in the timeline: the last item of a page, in (takenAt desc, id desc) order. */
export interface TimelinePosition {
  takenAt: Date;
  id: string;
}

/**
 * Layout (41 bytes, then base64url: 55 characters): a format byte, takenAt as signed 64-bit
 * epoch milliseconds, the id's 16 bytes, and 16 bytes of HMAC-SHA256 over the rest plus the
 * user and the filter set. The MAC is why a forged or edited cursor, one from another user,
 * or one from a listing with other filters is a 400 rather than a page from some arbitrary
 * position: only cursors this API issued for this very listing are accepted.
 */
const FORMAT = 1;
const PAYLOAD_BYTES = 1 + 8 + 16;
const MAC_BYTES = 16;
const CURSOR_BYTES = PAYLOAD_BYTES + MAC_BYTES;
const CURSOR_CHARS = Math.ceil((CURSOR_BYTES * 4) / 3);

const UUID_HEX = /^[0-9a-f]{32}$/;

/** The secret's use for cursors only (domain-separated from its other uses). */
function cursorKey(secret: Buffer): Buffer {
  return createHmac("sha256", secret).update("lifeline:media-cursor:v1").digest();
}

function mac(secret: Buffer, userId: string, scope: string, payload: Buffer): Buffer {
  return createHmac("sha256", cursorKey(secret))
    .update(`${userId}\n${scope}\n`)
    .update(payload)
    .digest()
    .subarray(0, MAC_BYTES);
}

/**
 * The opaque cursor for the page after `position`, valid only for `userId` and `scope` (the
 * listing's filter key). `secret` is the server's TOKEN_SECRET.
 */
export function encodeTimelineCursor(
  secret: Buffer,
  userId: string,
  scope: string,
  position: TimelinePosition,
): string {
  const payload = Buffer.alloc(PAYLOAD_BYTES);
  payload.writeUInt8(FORMAT, 0);
  payload.writeBigInt64BE(BigInt(position.takenAt.getTime()), 1);
  Buffer.from(position.id.replace(/-/g, ""), "hex").copy(payload, 9);
  return Buffer.concat([payload, mac(secret, userId, scope, payload)]).toString("base64url");
}

const badCursor = () =>
  new AppError({
    code: "BAD_REQUEST",
    message:
      "Invalid input: cursor: is not a cursor of this listing; pass the nextCursor of the previous page with the same filters, or start again without one",
    details: [
      {
        path: "cursor",
        message:
          "is not a cursor of this listing; pass the nextCursor of the previous page with the same filters, or start again without one",
      },
    ],
  });

function formatUuid(hex: string): string {
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * The position a cursor encodes, or AppError BAD_REQUEST (naming `cursor`) for anything this
 * API did not issue for this user and scope: wrong length or alphabet, a non-canonical
 * encoding, an unknown format, or a MAC that does not match (forged, edited, another user's,
 * other filters, or issued under another TOKEN_SECRET).
 */
export function decodeTimelineCursor(
  secret: Buffer,
  userId: string,
  scope: string,
  cursor: string,
): TimelinePosition {
  if (cursor.length !== CURSOR_CHARS || !/^[A-Za-z0-9_-]+$/.test(cursor)) throw badCursor();
  const bytes = Buffer.from(cursor, "base64url");
  // Base64 has several spellings of the same bytes (the last character's spare bits): only ours.
  if (bytes.length !== CURSOR_BYTES || bytes.toString("base64url") !== cursor) throw badCursor();
  const payload = bytes.subarray(0, PAYLOAD_BYTES);
  const expected = mac(secret, userId, scope, payload);
  if (!timingSafeEqual(expected, bytes.subarray(PAYLOAD_BYTES))) throw badCursor();
  if (payload.readUInt8(0) !== FORMAT) throw badCursor();
  const takenAt = new Date(Number(payload.readBigInt64BE(1)));
  const hex = payload.subarray(9, 25).toString("hex");
  if (Number.isNaN(takenAt.getTime()) || !UUID_HEX.test(hex)) throw badCursor();
  return { takenAt, id: formatUuid(hex) };
}
