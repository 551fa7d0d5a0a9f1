import { createHmac } from "node:crypto";

import { isUniqueViolation, type Db, type Prisma } from "@lifeline/db";

import { AppError } from "../errors/app-error";
import { hashRefreshToken } from "./refresh-token";

/** What an emailed link lets its holder do once. Stored in EmailToken.purpose. */
export type EmailTokenPurpose = "verify_email" | "reset_password";

/**
 * The token an email job puts in its link: HMAC-SHA256(secret, "email:" + jobId), base64url
 * (256 bits, 43 characters). Derived rather than random so that a retry of the same job (same
 * id) sends the same link instead of minting a second token: the job stays idempotent, and no
 * token is ever stored in clear, in Postgres or in the job's payload in Redis.
 */
export function emailTokenForJob(secret: Buffer, jobId: string): string {
  // "email:" keeps these apart from refresh-token successors derived from the same secret.
  return createHmac("sha256", secret).update(`email:${jobId}`).digest("base64url");
}

/** Like refresh tokens, stored only as SHA-256: a random 256-bit value needs no slow hash. */
export const hashEmailToken = hashRefreshToken;

export type IssuedEmailToken =
  | { kind: "issued"; token: string; expiresAt: Date }
  /** This job's link was already used: the email evidently arrived; nothing to send again. */
  | { kind: "used" }
  /** This job's link expired before it could be sent (a very long outage). */
  | { kind: "expired" }
  /** The job id already belongs to another user's or purpose's token: never send it. */
  | { kind: "conflict" };

export interface IssueEmailTokenInput {
  secret: Buffer;
  /** The sending job's id: one token per job. */
  jobId: string;
  userId: string;
  purpose: EmailTokenPurpose;
  ttlSeconds: number;
  now: Date;
}

/**
 * The token for one email job, stored (as its hash) on first use: a retry of the job finds
 * the row by `jobId` and gets the same token back, with its original expiry.
 */
export async function issueEmailToken(
  db: Pick<Db, "emailToken">,
  input: IssueEmailTokenInput,
): Promise<IssuedEmailToken> {
  const token = emailTokenForJob(input.secret, input.jobId);
  const tokenHash = hashEmailToken(token);
  const existing = await findByJob(db, input.jobId);
  if (existing) return reuse(db, existing, input, token, tokenHash);
  try {
    const created = await db.emailToken.create({
      data: {
        userId: input.userId,
        purpose: input.purpose,
        tokenHash,
        jobId: input.jobId,
        expiresAt: new Date(input.now.getTime() + input.ttlSeconds * 1000),
        createdAt: input.now,
      },
      select: { expiresAt: true },
    });
    return { kind: "issued", token, expiresAt: created.expiresAt };
  } catch (error) {
    // Two runs of one job at once (a stalled job picked up again): the other one stored it.
    if (!isUniqueViolation(error)) throw error;
    const raced = await findByJob(db, input.jobId);
    if (!raced) throw error;
    return reuse(db, raced, input, token, tokenHash);
  }
}

type StoredToken = NonNullable<Awaited<ReturnType<typeof findByJob>>>;

function findByJob(db: Pick<Db, "emailToken">, jobId: string) {
  return db.emailToken.findUnique({
    where: { jobId },
    select: { userId: true, purpose: true, tokenHash: true, expiresAt: true, usedAt: true },
  });
}

async function reuse(
  db: Pick<Db, "emailToken">,
  row: StoredToken,
  input: IssueEmailTokenInput,
  token: string,
  tokenHash: string,
): Promise<IssuedEmailToken> {
  // A job id reused for someone else (ids restarted after Redis lost its data, say) would
  // otherwise mail one user a link to another user's account.
  if (row.userId !== input.userId || row.purpose !== input.purpose) return { kind: "conflict" };
  if (row.usedAt) return { kind: "used" };
  if (row.expiresAt <= input.now) return { kind: "expired" };
  if (row.tokenHash === tokenHash) return { kind: "issued", token, expiresAt: row.expiresAt };
  // The secret changed since the first attempt (rotated, or an ephemeral one in development
  // and the process restarted): the first link cannot be derived again. It is replaced, so
  // this job still has exactly one live link: the one about to be sent.
  const { count } = await db.emailToken.updateMany({
    where: { jobId: input.jobId, usedAt: null },
    data: { tokenHash },
  });
  return count === 1 ? { kind: "issued", token, expiresAt: row.expiresAt } : { kind: "used" };
}

/**
 * Spends a token: one atomic UPDATE that only matches an unused, unexpired token of this
 * purpose, so of two concurrent uses exactly one wins. The user's id, or null when the token
 * is unknown, used, expired or for something else (deliberately one answer for all four).
 */
export async function consumeEmailToken(
  db: Pick<Prisma.TransactionClient, "emailToken">,
  input: { token: string; purpose: EmailTokenPurpose; now: Date },
): Promise<string | null> {
  const [spent] = await db.emailToken.updateManyAndReturn({
    where: {
      tokenHash: hashEmailToken(input.token),
      purpose: input.purpose,
      usedAt: null,
      expiresAt: { gt: input.now },
    },
    data: { usedAt: input.now },
    select: { userId: true },
  });
  return spent?.userId ?? null;
}

/** True when `token` would be accepted now (a cheap check before paying for a hash). */
export async function isEmailTokenUsable(
  db: Pick<Db, "emailToken">,
  input: { token: string; purpose: EmailTokenPurpose; now: Date },
): Promise<boolean> {
  const row = await db.emailToken.findUnique({
    where: { tokenHash: hashEmailToken(input.token) },
    select: { purpose: true, usedAt: true, expiresAt: true },
  });
  return !!row && row.purpose === input.purpose && !row.usedAt && row.expiresAt > input.now;
}

/** One answer for an unknown, used, expired or mistyped link: which one is nobody's business. */
export const unusableLink = () =>
  new AppError({
    code: "BAD_REQUEST",
    message: "This link is invalid, has expired or was already used; ask for a new one",
    details: [{ path: "token", message: "invalid, expired or already used" }],
  });
