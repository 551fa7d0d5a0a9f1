// Test helpers for media: files built byte by byte (no binary fixtures in the repository).
export {
  exifSegment,
  gif,
  jpeg,
  mp4,
  MP4_EPOCH_OFFSET_SECONDS,
  png,
  type ExifFields,
} from "./images";
