import { renderEmail, type RenderedEmail } from "./layout";

export interface BackupFailedInput {
  stage: "backup" | "verify" | "drill" | "retention";
  /** The backup's record, when the failure belongs to one (null: retention, or the record is gone). */
  record: {
    id: string;
    kind: string;
    startedAt: Date;
    error: string | null;
    details: unknown;
  } | null;
}

const WHAT: Record<BackupFailedInput["stage"], string> = {
  backup: "could not be taken",
  verify: "failed verification",
  drill: "failed its restore drill",
  retention: "retention pass failed",
};

/** Why the drill failed, when it did: kept on the record's details.drill. */
function drillError(details: unknown): string | null {
  if (typeof details !== "object" || details === null) return null;
  const drill = (details as { drill?: { error?: unknown; mismatches?: unknown } }).drill;
  if (!drill) return null;
  if (typeof drill.error === "string") return drill.error;
  return Array.isArray(drill.mismatches) && drill.mismatches.length
    ? `row counts differ: ${drill.mismatches.slice(0, 5).join("; ")}`
    : null;
}

/** To ALERT_EMAIL: a backup, its verification, the restore drill or retention failed. */
export function backupFailedTemplate(input: BackupFailedInput): RenderedEmail {
  const { record, stage } = input;
  const subject = record
    ? `Lifeline: the ${record.kind} backup ${WHAT[stage]}`
    : `Lifeline: a backup ${stage === "retention" ? "retention pass" : stage} failed`;
  const reason = record
    ? ((stage === "drill" ? drillError(record.details) : null) ?? record.error)
    : null;
  return renderEmail(subject, [
    record
      ? `The ${record.kind} backup ${record.id}, started ${record.startedAt.toISOString()}, ${WHAT[stage]}.`
      : `A backup ${stage} step failed before it had a backup record.`,
    `Reason: ${reason ?? "see the jobs app's error log"}`,
    "Until a backup is verified again, /readyz reports the age of the last good one. The runbook (docs/backups.md) says how to look into it and how to run one by hand: pnpm backup:run database.",
  ]);
}
