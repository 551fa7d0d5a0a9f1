import { readChecksum } from "./backup-store";
import type { BackupContext } from "./deps";
import { hashStream } from "./hash-object";

/** A backup whose bytes or structure are not what was recorded. */
export class BackupVerificationError extends Error {
  override name = "BackupVerificationError";
}

interface RecordedObject {
  id: string;
  location: string;
  sha256: string | null;
  /** The object's own size, checked when given (dumps). */
  sizeBytes: bigint | null;
}

/**
 * The object a backup record names (a dump, a media manifest) is in the store, re-reads to
 * the recorded sha256 (and size, when recorded), and its checksum file agrees. Throws
 * BackupVerificationError naming the first problem; `what` names the object in it.
 */
export async function checkRecordedObject(
  ctx: BackupContext,
  record: RecordedObject,
  what: "dump" | "manifest",
): Promise<void> {
  const expected = record.sha256;
  if (!expected) {
    throw new BackupVerificationError(
      `backup ${record.id} has no recorded checksum: it never completed`,
    );
  }
  const read = await ctx.store.getObject(record.location);
  if (!read) {
    throw new BackupVerificationError(
      `the ${what} ${record.location} is missing from the backup store`,
    );
  }
  const actual = await hashStream(read.body);
  const sizeDiffers = record.sizeBytes !== null && actual.size !== Number(record.sizeBytes);
  if (sizeDiffers || actual.sha256 !== expected) {
    const recorded = record.sizeBytes === null ? "" : `${String(record.sizeBytes)} bytes with `;
    throw new BackupVerificationError(
      `the ${what} ${record.location} does not match its record: ${actual.size} bytes with sha256 ${actual.sha256}, recorded ${recorded}sha256 ${expected}`,
    );
  }
  const sidecar = await readChecksum(ctx.store, record.location);
  if (sidecar !== expected) {
    throw new BackupVerificationError(
      `the checksum file of ${record.location} ${sidecar ? `says ${sidecar}` : "is missing"}, the record says ${expected}`,
    );
  }
}
