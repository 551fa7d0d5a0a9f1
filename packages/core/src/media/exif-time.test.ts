import { describe, expect, it } from "vitest";

import { isPlausibleTakenAt, parseExifDate } from "./exif-time";

describe("parseExifDate", () => {
  it("reads the wall-clock time with its offset as an instant", () => {
    expect(parseExifDate({ dateTime: "2019:07:14 15:30:00", offset: "+02:00" })).toEqual(
      new Date("2019-07-14T13:30:00Z"),
    );
    expect(parseExifDate({ dateTime: "2019:07:14 15:30:00", offset: "-05:30" })).toEqual(
      new Date("2019-07-14T21:00:00Z"),
    );
  });

  it("reads a time without an offset as UTC, and adds sub-seconds", () => {
    expect(parseExifDate({ dateTime: "2019:07:14 15:30:00" })).toEqual(
      new Date("2019-07-14T15:30:00Z"),
    );
    expect(parseExifDate({ dateTime: "2019:07:14 15:30:00", subSeconds: "25" })).toEqual(
      new Date("2019-07-14T15:30:00.250Z"),
    );
  });

  it("refuses what is not a date: placeholders, impossible days, other types", () => {
    expect(parseExifDate({ dateTime: "0000:00:00 00:00:00" })).toBeNull();
    expect(parseExifDate({ dateTime: "2019:02:30 10:00:00" })).toBeNull();
    expect(parseExifDate({ dateTime: "2019:07:14 25:00:00" })).toBeNull();
    expect(parseExifDate({ dateTime: "    :  :     :  :  " })).toBeNull();
    expect(parseExifDate({ dateTime: 1563118200 })).toBeNull();
    expect(parseExifDate({ dateTime: undefined })).toBeNull();
  });

  it("ignores an offset it cannot read", () => {
    expect(parseExifDate({ dateTime: "2019:07:14 15:30:00", offset: "CEST" })).toEqual(
      new Date("2019-07-14T15:30:00Z"),
    );
  });
});

describe("isPlausibleTakenAt", () => {
  const now = new Date("2030-06-01T12:00:00Z");
  it("accepts the past since the first photograph, and a clock up to a day ahead", () => {
    expect(isPlausibleTakenAt(new Date("1900-01-01T00:00:00Z"), now)).toBe(true);
    expect(isPlausibleTakenAt(new Date("2030-06-02T11:00:00Z"), now)).toBe(true);
  });
  it("refuses the future and the absurd", () => {
    expect(isPlausibleTakenAt(new Date("2030-06-03T00:00:00Z"), now)).toBe(false);
    expect(isPlausibleTakenAt(new Date("1700-01-01T00:00:00Z"), now)).toBe(false);
    expect(isPlausibleTakenAt(new Date(Number.NaN), now)).toBe(false);
  });
});
