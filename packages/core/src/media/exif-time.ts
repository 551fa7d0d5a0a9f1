/**
 * When a photo was taken, from its EXIF date fields as exifr returns them unrevived:
 * "YYYY:MM:DD HH:MM:SS" (local wall-clock time), an optional offset ("+02:00", EXIF 2.31),
 * optional sub-seconds ("25" = .25 s).
 *
 * Without an offset the wall-clock time is read as UTC: the camera's zone is unknown, and a
 * fixed rule keeps a day's photos in their order (they are all shifted alike).
 */
export interface ExifDateFields {
  dateTime: unknown;
  offset?: unknown;
  subSeconds?: unknown;
}

const DATE = /^(\d{4}):(\d{2}):(\d{2})[ T](\d{2}):(\d{2}):(\d{2})/;
const OFFSET = /^([+-])(\d{2}):(\d{2})$/;

/** The instant the fields describe, or null when they are missing or not a real date. */
export function parseExifDate({ dateTime, offset, subSeconds }: ExifDateFields): Date | null {
  if (typeof dateTime !== "string") return null;
  const match = DATE.exec(dateTime.trim());
  if (!match) return null;
  const [year, month, day, hour, minute, second] = match.slice(1).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 59) {
    return null;
  }
  let ms = Date.UTC(year, month - 1, day, hour, minute, second);
  // Date.UTC rolls 31 February over into March: refuse what does not round-trip.
  if (new Date(ms).getUTCDate() !== day) return null;
  if (typeof subSeconds === "string" && /^\d{1,9}$/.test(subSeconds.trim())) {
    ms += Math.floor(Number(`0.${subSeconds.trim()}`) * 1000);
  }
  if (typeof offset === "string") {
    const parts = OFFSET.exec(offset.trim());
    if (parts) {
      const minutes = Number(parts[2]) * 60 + Number(parts[3]);
      if (minutes <= 14 * 60) ms -= (parts[1] === "-" ? -1 : 1) * minutes * 60_000;
    }
  }
  return new Date(ms);
}

/** The first photograph that survives is from 1826: anything earlier is a placeholder. */
const EARLIEST = Date.UTC(1826, 0, 1);
/**
 * A clock a little ahead is normal (an offset-less time read as UTC can be up to 14 hours
 * ahead of the truth); a day is the slack before "in the future" means "wrong".
 */
const FUTURE_SLACK_MS = 24 * 60 * 60_000;

/** True when `date` could be when something was taken, as seen at `now`. */
export function isPlausibleTakenAt(date: Date, now: Date): boolean {
  const ms = date.getTime();
  return Number.isFinite(ms) && ms >= EARLIEST && ms <= now.getTime() + FUTURE_SLACK_MS;
}
