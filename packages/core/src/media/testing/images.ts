import { deflateSync } from "node:zlib";

/**
 * Small, valid media files built byte by byte, so tests need no binary fixtures: a baseline
 * JPEG (grey, decodable by libjpeg and so by sharp) with an optional EXIF block, a PNG, a
 * GIF, and the head of an MP4 whose `moov` comes first.
 */

export interface ExifFields {
  /** "YYYY:MM:DD HH:MM:SS", as cameras write it. */
  dateTimeOriginal?: string;
  /** "+02:00" */
  offsetTimeOriginal?: string;
  createDate?: string;
  offsetTimeDigitized?: string;
  /** "123": milliseconds-ish, as EXIF writes sub-seconds. */
  subSecTimeOriginal?: string;
  /** 1 to 8; 5 to 8 turn the picture a quarter, so width and height swap on display. */
  orientation?: number;
}

function u16(value: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(value);
  return b;
}

function u32(value: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(value >>> 0);
  return b;
}

interface IfdEntry {
  tag: number;
  type: 2 | 3 | 4; // ASCII, SHORT, LONG
  /** ASCII: the text (a NUL is added); SHORT/LONG: one number. */
  value: string | number;
}

/**
 * One big-endian IFD at `offset` (from the TIFF header's start): entries sorted by tag,
 * values over 4 bytes placed right after it. Returns its bytes.
 */
function ifd(entries: IfdEntry[], offset: number): Buffer {
  const sorted = [...entries].sort((a, b) => a.tag - b.tag);
  const tableSize = 2 + sorted.length * 12 + 4;
  let dataOffset = offset + tableSize;
  const table: Buffer[] = [u16(sorted.length)];
  const data: Buffer[] = [];
  for (const entry of sorted) {
    if (entry.type === 2) {
      const text = Buffer.from(`${String(entry.value)}\0`, "latin1");
      table.push(u16(entry.tag), u16(2), u32(text.length));
      if (text.length <= 4) {
        table.push(Buffer.concat([text, Buffer.alloc(4 - text.length)]));
      } else {
        table.push(u32(dataOffset));
        // Word-aligned, as the TIFF spec asks.
        const padded = text.length % 2 ? Buffer.concat([text, Buffer.alloc(1)]) : text;
        data.push(padded);
        dataOffset += padded.length;
      }
    } else if (entry.type === 3) {
      table.push(u16(entry.tag), u16(3), u32(1), u16(Number(entry.value)), u16(0));
    } else {
      table.push(u16(entry.tag), u16(4), u32(1), u32(Number(entry.value)));
    }
  }
  table.push(u32(0)); // no next IFD
  return Buffer.concat([...table, ...data]);
}

/** An APP1 Exif segment holding IFD0 (orientation) and the Exif IFD (dates). */
export function exifSegment(fields: ExifFields): Buffer {
  const exifEntries: IfdEntry[] = [];
  if (fields.dateTimeOriginal) {
    exifEntries.push({ tag: 0x9003, type: 2, value: fields.dateTimeOriginal });
  }
  if (fields.createDate) exifEntries.push({ tag: 0x9004, type: 2, value: fields.createDate });
  if (fields.offsetTimeOriginal) {
    exifEntries.push({ tag: 0x9011, type: 2, value: fields.offsetTimeOriginal });
  }
  if (fields.offsetTimeDigitized) {
    exifEntries.push({ tag: 0x9012, type: 2, value: fields.offsetTimeDigitized });
  }
  if (fields.subSecTimeOriginal) {
    exifEntries.push({ tag: 0x9291, type: 2, value: fields.subSecTimeOriginal });
  }
  const ifd0Entries: IfdEntry[] = [];
  if (fields.orientation) ifd0Entries.push({ tag: 0x0112, type: 3, value: fields.orientation });
  // IFD0 at 8 (right after the header); its size fixes where the Exif IFD starts.
  const ifd0Size = 2 + (ifd0Entries.length + 1) * 12 + 4;
  const exifOffset = 8 + ifd0Size;
  const ifd0 = ifd([...ifd0Entries, { tag: 0x8769, type: 4, value: exifOffset }], 8);
  const exif = ifd(exifEntries, exifOffset);
  const tiff = Buffer.concat([Buffer.from("MM\0*", "latin1"), u32(8), ifd0, exif]);
  const payload = Buffer.concat([Buffer.from("Exif\0\0", "latin1"), tiff]);
  return Buffer.concat([Buffer.from([0xff, 0xe1]), u16(payload.length + 2), payload]);
}

function marker(code: number, payload: Buffer): Buffer {
  return Buffer.concat([Buffer.from([0xff, code]), u16(payload.length + 2), payload]);
}

/**
 * A baseline greyscale JPEG of `width` x `height`, every 8x8 block flat mid-grey: one
 * quantisation table, one-code Huffman tables (DC difference 0, end of block), two bits per
 * block. With `exif`, an APP1 Exif block follows the SOI. Real enough for libjpeg.
 */
export function jpeg({
  width = 16,
  height = 8,
  exif,
}: { width?: number; height?: number; exif?: ExifFields } = {}): Buffer {
  const dqt = marker(0xdb, Buffer.concat([Buffer.from([0x00]), Buffer.alloc(64, 1)]));
  const sof0 = marker(
    0xc0,
    Buffer.concat([Buffer.from([8]), u16(height), u16(width), Buffer.from([1, 1, 0x11, 0])]),
  );
  const oneCode = (tableClass: number) =>
    marker(
      0xc4,
      Buffer.concat([
        Buffer.from([tableClass << 4]),
        Buffer.from([1, ...new Array<number>(15).fill(0)]),
        Buffer.from([0]),
      ]),
    );
  const sos = marker(0xda, Buffer.from([1, 1, 0x00, 0, 63, 0]));
  const blocks = Math.ceil(width / 8) * Math.ceil(height / 8);
  // Two zero bits per block; the last byte is padded with ones, as the standard says.
  const bits = blocks * 2;
  const scan = Buffer.alloc(Math.ceil(bits / 8));
  const spare = scan.length * 8 - bits;
  if (spare > 0) scan[scan.length - 1] = (1 << spare) - 1;
  return Buffer.concat([
    Buffer.from([0xff, 0xd8]),
    ...(exif ? [exifSegment(exif)] : []),
    dqt,
    sof0,
    oneCode(0),
    oneCode(1),
    sos,
    scan,
    Buffer.from([0xff, 0xd9]),
  ]);
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes: Buffer): number {
  let c = 0xffffffff;
  for (const byte of bytes) c = (CRC_TABLE[(c ^ byte) & 0xff] ?? 0) ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function pngChunk(type: string, data: Buffer): Buffer {
  const typed = Buffer.concat([Buffer.from(type, "latin1"), data]);
  return Buffer.concat([u32(data.length), typed, u32(crc32(typed))]);
}

/**
 * An RGB PNG of `width` x `height`. `seed` varies the pixels, so two calls with different
 * seeds give different bytes (and different sha256s).
 */
export function png({
  width = 4,
  height = 3,
  seed = 0,
}: { width?: number; height?: number; seed?: number } = {}): Buffer {
  const rows: Buffer[] = [];
  for (let y = 0; y < height; y++) {
    const row = Buffer.alloc(1 + width * 3); // filter byte 0, then RGB
    for (let i = 1; i < row.length; i++) row[i] = (seed * 31 + y * 7 + i) & 0xff;
    rows.push(row);
  }
  const ihdr = Buffer.concat([u32(width), u32(height), Buffer.from([8, 2, 0, 0, 0])]);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk("IHDR", ihdr),
    pngChunk("IDAT", deflateSync(Buffer.concat(rows))),
    pngChunk("IEND", Buffer.alloc(0)),
  ]);
}

/** A one-colour GIF of `width` x `height` (one LZW-coded frame). */
export function gif({ width = 2, height = 2 }: { width?: number; height?: number } = {}): Buffer {
  const le16 = (value: number) => {
    const b = Buffer.alloc(2);
    b.writeUInt16LE(value);
    return b;
  };
  return Buffer.concat([
    Buffer.from("GIF89a", "latin1"),
    le16(width),
    le16(height),
    Buffer.from([0x80, 0, 0]), // global colour table of 2 entries
    Buffer.from([0, 0, 0, 255, 255, 255]),
    Buffer.from([0x2c]),
    le16(0),
    le16(0),
    le16(width),
    le16(height),
    Buffer.from([0]),
    // LZW minimum code size 2; clear, pixel 0 once, end: enough for decoders of a tiny frame.
    Buffer.from([2, 2, 0x44, 0x01, 0]),
    Buffer.from([0x3b]),
  ]);
}

function box(type: string, ...payload: Buffer[]): Buffer {
  const body = Buffer.concat(payload);
  return Buffer.concat([u32(body.length + 8), Buffer.from(type, "latin1"), body]);
}

/** Seconds between 1904-01-01 (the ISO media epoch) and 1970-01-01. */
export const MP4_EPOCH_OFFSET_SECONDS = 2_082_844_800;

/**
 * The start of an MP4 (ftyp, then moov holding an mvhd, then a small mdat) with the given
 * duration and creation time. Not playable: no tracks. Enough for type and metadata.
 */
export function mp4({
  durationMs = 2500,
  timescale = 1000,
  createdAt,
  brand = "isom",
  mdatBytes = 1024,
}: {
  durationMs?: number;
  timescale?: number;
  createdAt?: Date;
  brand?: string;
  mdatBytes?: number;
} = {}): Buffer {
  const created = createdAt ? Math.floor(createdAt.getTime() / 1000) + MP4_EPOCH_OFFSET_SECONDS : 0;
  const ftyp = box(
    "ftyp",
    Buffer.from(brand.padEnd(4), "latin1"),
    u32(0x200),
    Buffer.from("isomiso2mp41", "latin1"),
  );
  const matrix = [0x10000, 0, 0, 0, 0x10000, 0, 0, 0, 0x40000000].map(u32);
  const mvhd = box(
    "mvhd",
    u32(0), // version 0, flags
    u32(created),
    u32(created),
    u32(timescale),
    u32(Math.round((durationMs * timescale) / 1000)),
    u32(0x10000), // rate 1.0
    u16(0x100), // volume 1.0
    Buffer.alloc(10),
    ...matrix,
    Buffer.alloc(24),
    u32(2),
  );
  return Buffer.concat([ftyp, box("moov", mvhd), box("mdat", Buffer.alloc(mdatBytes, 7))]);
}
