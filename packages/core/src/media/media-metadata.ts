import exifr from "exifr";
import { imageSize } from "image-size";

import { isPlausibleTakenAt, parseExifDate } from "./exif-time";
import { readMovieHeader } from "./iso-movie";
import type { MediaType } from "./media-types";

/** What the first bytes of a file tell about it, read without going back to storage. */
export interface MediaMetadata {
  /** When it happened: EXIF (images) or the movie header (video); else the upload time. */
  takenAt: Date;
  width: number | null;
  height: number | null;
  durationMs: number | null;
}

/** The EXIF fields we read; picking them lets exifr skip everything else. */
const EXIF_TAGS = [
  "DateTimeOriginal",
  "OffsetTimeOriginal",
  "SubSecTimeOriginal",
  "CreateDate",
  "OffsetTimeDigitized",
  "SubSecTimeDigitized",
  "Orientation",
];

type ExifTags = Record<string, unknown>;

/** EXIF from the head; empty when there is none, it lies past the head, or it is corrupt. */
async function readExif(head: Buffer): Promise<ExifTags> {
  try {
    const tags: unknown = await exifr.parse(head, {
      pick: EXIF_TAGS,
      // Raw strings and numbers: dates are parsed here, with their offsets (exifr would
      // read them in the server's own time zone).
      reviveValues: false,
      translateValues: false,
      xmp: false,
      icc: false,
      iptc: false,
      jfif: false,
      ihdr: false,
      gps: false,
      interop: false,
      ifd1: false,
    });
    return typeof tags === "object" && tags !== null ? (tags as ExifTags) : {};
  } catch {
    // Not a format exifr reads (GIF, WebP), or a block cut off by the head: no EXIF.
    return {};
  }
}

/** The EXIF capture time: DateTimeOriginal, else CreateDate (digitised), each with its offset. */
function exifTakenAt(tags: ExifTags): Date | null {
  return (
    parseExifDate({
      dateTime: tags.DateTimeOriginal,
      offset: tags.OffsetTimeOriginal,
      subSeconds: tags.SubSecTimeOriginal,
    }) ??
    parseExifDate({
      dateTime: tags.CreateDate,
      offset: tags.OffsetTimeDigitized,
      subSeconds: tags.SubSecTimeDigitized,
    })
  );
}

const MAX_DIMENSION = 1_000_000;

/** Width and height as shown: from the image header, turned by the EXIF orientation. */
function imageDimensions(
  head: Buffer,
  orientation: unknown,
): { width: number; height: number } | null {
  let size: { width?: number; height?: number; orientation?: number };
  try {
    size = imageSize(head);
  } catch {
    return null; // a header past the head, or one image-size does not know
  }
  const { width, height } = size;
  if (!width || !height || width > MAX_DIMENSION || height > MAX_DIMENSION) return null;
  const turn = typeof orientation === "number" ? orientation : size.orientation;
  // Orientations 5 to 8 turn the picture a quarter: what is shown is height x width.
  return turn !== undefined && turn >= 5 && turn <= 8
    ? { width: height, height: width }
    : { width, height };
}

const ISO_MOVIES = new Set(["video/mp4", "video/x-m4v", "video/quicktime"]);

/**
 * Metadata from the first bytes of a file whose type is already known. Bounded: it reads
 * only `head` (at most 256 KiB), never the rest of the file. A date that is missing, absurd
 * or in the future gives way to `uploadedAt`.
 */
export async function readMediaMetadata(
  head: Buffer,
  type: MediaType,
  uploadedAt: Date,
): Promise<MediaMetadata> {
  const plausible = (date: Date | null) =>
    date && isPlausibleTakenAt(date, uploadedAt) ? date : null;
  if (type.kind === "image") {
    const tags = await readExif(head);
    const dimensions = imageDimensions(head, tags.Orientation);
    return {
      takenAt: plausible(exifTakenAt(tags)) ?? uploadedAt,
      width: dimensions?.width ?? null,
      height: dimensions?.height ?? null,
      durationMs: null,
    };
  }
  if (ISO_MOVIES.has(type.mime)) {
    const movie = readMovieHeader(head);
    return {
      takenAt: plausible(movie?.createdAt ?? null) ?? uploadedAt,
      width: null,
      height: null,
      durationMs: movie?.durationMs ?? null,
    };
  }
  return { takenAt: uploadedAt, width: null, height: null, durationMs: null };
}
