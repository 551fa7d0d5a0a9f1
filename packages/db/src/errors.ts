import { Prisma } from "./generated/prisma/client";

/** True for a unique-constraint violation (P2002), optionally on a given field. */
export function isUniqueViolation(error: unknown, field?: string): boolean {
  if (!(error instanceof Prisma.PrismaClientKnownRequestError) || error.code !== "P2002")
    return false;
  if (!field) return true;
  return JSON.stringify(error.meta ?? {}).includes(field);
}

/** P2025: an update, delete or `…OrThrow` found no row. */
export function isRecordNotFound(error: unknown): boolean {
  return error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2025";
}

/**
 * Prisma codes that mean "the database could not be asked" rather than "the query was
 * wrong": unreachable, timed out, connection lost, pool exhausted, too many connections,
 * a transaction that could not start or was closed under it.
 */
const UNAVAILABLE_CODES = new Set(["P1001", "P1002", "P1008", "P1017", "P2024", "P2028", "P2037"]);

/** The driver adapter's own words for the same conditions (adapter-pg `cause.kind`). */
const UNAVAILABLE_KINDS = new Set([
  "DatabaseNotReachable",
  "DatabaseDoesNotExist",
  "ConnectionClosed",
  "SocketTimeout",
  "TooManyConnections",
  "TransactionAlreadyClosed",
  "AuthenticationFailed",
]);

function adapterKind(meta: unknown): string | undefined {
  if (typeof meta !== "object" || meta === null || !("driverAdapterError" in meta)) return;
  const adapterError: unknown = meta.driverAdapterError;
  if (typeof adapterError !== "object" || adapterError === null || !("cause" in adapterError))
    return;
  const cause: unknown = adapterError.cause;
  if (typeof cause !== "object" || cause === null || !("kind" in cause)) return;
  return typeof cause.kind === "string" ? cause.kind : undefined;
}

/** True when an error means Postgres is down, unreachable or overloaded, not a bug. */
export function isDatabaseUnavailable(error: unknown): boolean {
  if (error instanceof Prisma.PrismaClientInitializationError) return true;
  if (error instanceof Prisma.PrismaClientKnownRequestError) {
    if (UNAVAILABLE_CODES.has(error.code)) return true;
    const kind = adapterKind(error.meta);
    return kind !== undefined && UNAVAILABLE_KINDS.has(kind);
  }
  return false;
}
