import { availableParallelism } from "node:os";

import sharp, { type Metadata } from "sharp";

/** The thumbnail fits inside this square; smaller images are never enlarged. */
export const THUMBNAIL_SIZE = 320;
export const THUMBNAIL_QUALITY = 70;

/**
 * Images with more pixels than this are refused from their header, before anything is
 * decoded: a decompression bomb (a few KiB declaring 30000×30000) fails at once instead of
 * asking libvips for gigabytes. 200 MP still covers the largest phone sensors (200 MP modes).
 */
export const THUMBNAIL_MAX_INPUT_PIXELS = 200_000_000;

/**
 * The decoders we let near user bytes: raster photo formats. SVG, PDF and the rest (librsvg,
 * poppler, ImageMagick when present) are refused even if an item claims to be an image.
 */
const ALLOWED_FORMATS = new Set(["jpeg", "png", "webp", "gif", "tiff", "heif", "avif"]);

/** sharp could not (or may not) decode the bytes: corrupt, truncated, unsupported, too large. */
export class ImageDecodeError extends Error {
  override name = "ImageDecodeError";
}

export interface ImageDimensions {
  /** After EXIF orientation: as the image is shown. */
  width: number;
  height: number;
}

/**
 * Sets sharp's process-wide knobs for `parallelJobs` thumbnails at once (the media queue's
 * concurrency). libvips' own thread pool per image is sized so the jobs together use about
 * the machine's cores instead of cores × jobs threads; each job also holds one libuv thread
 * (UV_THREADPOOL_SIZE, 4 by default) while libvips works. The operation cache is off: every
 * thumbnail is a different image, so cached operations would only hold memory.
 */
export function configureImageProcessing(parallelJobs: number): { threadsPerImage: number } {
  const threadsPerImage = Math.max(
    1,
    Math.floor(availableParallelism() / Math.max(1, parallelJobs)),
  );
  sharp.concurrency(threadsPerImage);
  sharp.cache(false);
  return { threadsPerImage };
}

function open(input: Buffer) {
  return sharp(input, {
    limitInputPixels: THUMBNAIL_MAX_INPUT_PIXELS,
    // Minor warnings (common in camera JPEGs) still give a thumbnail; errors and truncation do not.
    failOn: "error",
    sequentialRead: true,
  });
}

const decodeError = (error: unknown) =>
  new ImageDecodeError(error instanceof Error ? error.message : String(error));

/** The image's dimensions as shown (EXIF orientation applied), from its header alone. */
export async function readImageDimensions(input: Buffer): Promise<ImageDimensions> {
  let metadata: Metadata;
  try {
    metadata = await open(input).metadata();
  } catch (error) {
    throw decodeError(error);
  }
  if (!ALLOWED_FORMATS.has(metadata.format)) {
    throw new ImageDecodeError(`unsupported image format: ${metadata.format}`);
  }
  return { width: metadata.autoOrient.width, height: metadata.autoOrient.height };
}

/**
 * The thumbnail: upright (EXIF orientation), inside THUMBNAIL_SIZE², never enlarged, WebP at
 * THUMBNAIL_QUALITY, without the original's metadata (no GPS position in a thumbnail).
 * Call readImageDimensions first: it refuses formats outside the allow-list.
 */
export async function renderThumbnail(input: Buffer): Promise<Buffer> {
  try {
    return await open(input)
      .rotate()
      .resize(THUMBNAIL_SIZE, THUMBNAIL_SIZE, { fit: "inside", withoutEnlargement: true })
      .webp({ quality: THUMBNAIL_QUALITY })
      .toBuffer();
  } catch (error) {
    throw decodeError(error);
  }
}
