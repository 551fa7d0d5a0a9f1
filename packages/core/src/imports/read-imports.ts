import type { Db, Prisma } from "@lifeline/db";

import { AppError } from "../errors/app-error";
import { importRunInclude, toImportRunView, type ImportRunView } from "./import-run-view";

/** One of the user's runs; any other id is NOT_FOUND (the same answer either way). */
export async function getImportRun(
  db: Db,
  userId: string,
  runId: string,
  now = new Date(),
): Promise<ImportRunView> {
  const row = await db.importRun.findFirst({
    where: { id: runId, userId },
    include: importRunInclude,
  });
  if (!row) throw new AppError({ code: "NOT_FOUND", message: "No such import" });
  return toImportRunView(row, now);
}

export interface ListImportsQuery {
  /** Only this linked account's runs. */
  linkedAccountId?: string | undefined;
  /** `nextCursor` of the previous page. */
  cursor?: string | undefined;
  limit: number;
}

export interface ImportRunPage {
  runs: ImportRunView[];
  nextCursor: string | null;
}

/** Errors each listed run carries (imports.get has them all). */
const LIST_ERRORS = 3;

function encodeCursor(row: { createdAt: Date; id: string }): string {
  return Buffer.from(`${row.createdAt.getTime()}.${row.id}`).toString("base64url");
}

function decodeCursor(cursor: string): { createdAt: Date; id: string } {
  const match = /^(\d{1,15})\.([0-9a-f-]{36})$/.exec(
    Buffer.from(cursor, "base64url").toString("utf8"),
  );
  if (!match?.[1] || !match[2]) {
    throw new AppError({
      code: "BAD_REQUEST",
      message: "The cursor is not one this API issued",
      details: [{ path: "cursor", message: "is not a cursor this API issued" }],
    });
  }
  return { createdAt: new Date(Number(match[1])), id: match[2] };
}

/** The user's runs, newest first, in keyset pages (createdAt desc, id desc). */
export async function listImportRuns(
  db: Db,
  userId: string,
  query: ListImportsQuery,
  now = new Date(),
): Promise<ImportRunPage> {
  const where: Prisma.ImportRunWhereInput = { userId };
  if (query.linkedAccountId) where.linkedAccountId = query.linkedAccountId;
  if (query.cursor) {
    const after = decodeCursor(query.cursor);
    where.OR = [
      { createdAt: { lt: after.createdAt } },
      { createdAt: after.createdAt, id: { lt: after.id } },
    ];
  }
  const rows = await db.importRun.findMany({
    where,
    include: importRunInclude,
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: query.limit + 1,
  });
  const page = rows.slice(0, query.limit);
  const last = page.at(-1);
  return {
    runs: page.map((row) => toImportRunView(row, now, LIST_ERRORS)),
    nextCursor: rows.length > query.limit && last ? encodeCursor(last) : null,
  };
}
