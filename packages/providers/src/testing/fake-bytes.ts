import { createHash } from "node:crypto";
import { deflateSync } from "node:zlib";

/** Small, valid files generated from a seed: no binary fixtures in the repository. */

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes: Buffer): number {
  let crc = 0xffffffff;
  for (const byte of bytes) crc = (CRC_TABLE[(crc ^ byte) & 0xff] ?? 0) ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const typed = Buffer.concat([Buffer.from(type, "ascii"), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(typed));
  return Buffer.concat([length, typed, crc]);
}

function seedBytes(seed: string): Buffer {
  return createHash("sha256").update(seed).digest();
}

/** A 4×4 RGB PNG whose colours come from `seed`: distinct bytes per item. */
export function tinyPng(seed: string): Buffer {
  const size = 4;
  const colour = seedBytes(seed);
  const rows: Buffer[] = [];
  for (let y = 0; y < size; y++) {
    const row = Buffer.alloc(1 + size * 3);
    for (let x = 0; x < size; x++) {
      const at = ((x + y) % 8) * 3;
      colour.copy(row, 1 + x * 3, at, at + 3);
    }
    rows.push(row);
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header.writeUInt8(8, 8); // bit depth
  header.writeUInt8(2, 9); // truecolour
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", header),
    chunk("IDAT", deflateSync(Buffer.concat(rows))),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}

/** An MP4-looking file: an `ftyp` box, then an `mdat` box of seeded bytes. */
export function tinyMp4(seed: string): Buffer {
  const ftyp = Buffer.concat([
    Buffer.from([0, 0, 0, 24]),
    Buffer.from("ftypisom", "ascii"),
    Buffer.from([0, 0, 2, 0]),
    Buffer.from("isomiso2", "ascii"),
  ]);
  const payload = Buffer.concat([seedBytes(seed), seedBytes(`${seed}:2`)]);
  const mdatHeader = Buffer.alloc(8);
  mdatHeader.writeUInt32BE(8 + payload.length);
  mdatHeader.write("mdat", 4, "ascii");
  return Buffer.concat([ftyp, mdatHeader, payload]);
}

/** A one-page PDF with the seed as its text. */
export function tinyPdf(seed: string): Buffer {
  const text = seed.replace(/[()\\]/g, "");
  return Buffer.from(
    `%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 50]/Contents 4 0 R>>endobj\n4 0 obj<</Length ${text.length + 24}>>stream\nBT /F1 10 Tf 10 20 Td (${text}) Tj ET\nendstream endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n`,
    "latin1",
  );
}

export type FakeFileKind = "image" | "video" | "document";

export function fakeFile(kind: FakeFileKind, seed: string): { bytes: Buffer; contentType: string } {
  switch (kind) {
    case "image":
      return { bytes: tinyPng(seed), contentType: "image/png" };
    case "video":
      return { bytes: tinyMp4(seed), contentType: "video/mp4" };
    case "document":
      return { bytes: tinyPdf(seed), contentType: "application/pdf" };
  }
}
