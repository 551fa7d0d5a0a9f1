/**
 * The movie header (`mvhd`) of an ISO base media file (MP4, M4V, QuickTime MOV), when it
 * is within the bytes given: duration and creation time, for free when the file keeps its
 * `moov` box first ("fast start", as most phones and encoders for the web write it). A file
 * whose `moov` is at its end gives nothing here; that costs no extra reading.
 */
export interface MovieHeader {
  durationMs: number | null;
  /** Null when the file says 0 (unknown), as many encoders do. */
  createdAt: Date | null;
}

/** Seconds from 1904-01-01, the ISO media epoch, to the Unix epoch. */
const EPOCH_OFFSET_SECONDS = 2_082_844_800;

interface Box {
  type: string;
  /** Where the box's payload starts and ends, clipped to the buffer. */
  start: number;
  end: number;
}

/** The boxes directly inside [from, to); stops at the first one that does not fit. */
function* boxes(bytes: Buffer, from: number, to: number): Generator<Box> {
  let at = from;
  while (at + 8 <= to) {
    let size = bytes.readUInt32BE(at);
    const type = bytes.toString("latin1", at + 4, at + 8);
    let header = 8;
    if (size === 1) {
      if (at + 16 > to) return;
      const large = bytes.readBigUInt64BE(at + 8);
      if (large > BigInt(Number.MAX_SAFE_INTEGER)) return;
      size = Number(large);
      header = 16;
    } else if (size === 0) {
      size = to - at; // to the end of the file (or of what we have)
    }
    if (size < header) return;
    yield { type, start: at + header, end: Math.min(at + size, to) };
    at += size;
  }
}

function readMvhd(bytes: Buffer, box: Box): MovieHeader | null {
  const version = bytes[box.start];
  const v1 = version === 1;
  const need = v1 ? 4 + 8 + 8 + 4 + 8 : 4 + 4 + 4 + 4 + 4;
  if (box.end - box.start < need) return null;
  let at = box.start + 4;
  const created = v1 ? Number(bytes.readBigUInt64BE(at)) : bytes.readUInt32BE(at);
  at += v1 ? 16 : 8; // creation and modification times
  const timescale = bytes.readUInt32BE(at);
  at += 4;
  const duration = v1 ? Number(bytes.readBigUInt64BE(at)) : bytes.readUInt32BE(at);
  // All ones means "unknown" in both versions.
  const unknown = v1 ? bytes.readBigUInt64BE(at) === 0xffffffffffffffffn : duration === 0xffffffff;
  const durationMs =
    timescale > 0 && !unknown && duration > 0 ? Math.round((duration * 1000) / timescale) : null;
  return {
    durationMs: durationMs !== null && durationMs <= 2_147_483_647 ? durationMs : null,
    createdAt: created > 0 ? new Date((created - EPOCH_OFFSET_SECONDS) * 1000) : null,
  };
}

/** The movie header found in `head`, or null when the head does not reach it. */
export function readMovieHeader(head: Buffer): MovieHeader | null {
  for (const top of boxes(head, 0, head.length)) {
    if (top.type !== "moov") continue;
    for (const inner of boxes(head, top.start, top.end)) {
      if (inner.type === "mvhd") return readMvhd(head, inner);
    }
    return null;
  }
  return null;
}
