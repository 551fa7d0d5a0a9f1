import type { TempBlob } from "@lifeline/storage";

import { AppError } from "../errors/app-error";
import { readMediaMetadata, type MediaMetadata } from "./media-metadata";
import {
  ACCEPTED_TYPES_TEXT,
  detectMediaType,
  typeMismatch,
  type MediaType,
  type TypeHints,
  type TypeMismatch,
} from "./media-types";

export interface InspectedUpload {
  type: MediaType;
  metadata: MediaMetadata;
  /** The client's file name, cleaned for display; null when none was given. */
  originalName: string | null;
}

const NAME_MAX = 255;

/**
 * A file name fit to store and show: its last path segment (some clients send a path),
 * without control characters, at most 255 characters. Never used to decide anything but
 * the mismatch check.
 */
export function cleanFileName(name: string | null | undefined): string | null {
  if (!name) return null;
  // eslint-disable-next-line no-control-regex -- control characters are exactly what goes
  const base = (name.split(/[/\\]/).pop() ?? "").replace(/[\u0000-\u001f\u007f]/g, "").trim();
  if (!base) return null;
  return Array.from(base).slice(0, NAME_MAX).join("");
}

const article = (word: string) => (/^[aeiou]/i.test(word) ? `an ${word}` : `a ${word}`);

function mismatchMessage(type: MediaType, mismatch: TypeMismatch, hints: TypeHints): string {
  const claimed = mismatch.claimed === "document" ? "PDF document" : `${mismatch.claimed} file`;
  const said =
    mismatch.source === "file name"
      ? `its name ends in "${extensionOf(hints.fileName ?? "")}"`
      : `it was declared as ${mismatch.hint.slice(0, 100)}`;
  return `The file is ${article(type.label)}, but ${said}, which means ${article(claimed)}: rename it or send the right type`;
}

function extensionOf(name: string): string {
  const match = /\.[A-Za-z0-9]{1,10}$/.exec(name.trim());
  return match ? match[0] : "";
}

const unsupported = (message: string) =>
  new AppError({
    code: "UNSUPPORTED_MEDIA_TYPE",
    message,
    details: [{ path: "file", message }],
  });

/**
 * Decides from a temp's first bytes whether the media library takes it, and reads its
 * metadata. Throws the refusal as an AppError: BAD_REQUEST for an empty file,
 * UNSUPPORTED_MEDIA_TYPE for a type off the allow-list or a name or declared type of
 * another kind than the bytes.
 */
export async function inspectUpload(
  temp: TempBlob,
  hints: TypeHints,
  uploadedAt: Date,
): Promise<InspectedUpload> {
  if (temp.size === 0) {
    throw new AppError({
      code: "BAD_REQUEST",
      message: "The file is empty",
      details: [{ path: "file", message: "is empty" }],
    });
  }
  const detected = await detectMediaType(temp.head);
  if (!detected.accepted) {
    throw unsupported(
      detected.mime
        ? `The file is ${detected.mime}, which the media library does not accept; it accepts ${ACCEPTED_TYPES_TEXT}`
        : `The file is not of a type the media library accepts (its bytes match none of ${ACCEPTED_TYPES_TEXT})`,
    );
  }
  const mismatch = typeMismatch(detected.type, hints);
  if (mismatch) throw unsupported(mismatchMessage(detected.type, mismatch, hints));
  return {
    type: detected.type,
    metadata: await readMediaMetadata(temp.head, detected.type, uploadedAt),
    originalName: cleanFileName(hints.fileName),
  };
}
