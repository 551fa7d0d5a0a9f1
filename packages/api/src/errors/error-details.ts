import { AppError, type AppErrorDetail } from "@lifeline/core";
import type { TRPCError } from "@trpc/server";
import { ZodError } from "zod";

function formatPath(path: readonly PropertyKey[]): string {
  return path.length ? path.map(String).join(".") : "(input)";
}

/** Field-level problems behind an error: zod issues or an AppError's own details. */
export function errorDetails(error: TRPCError): AppErrorDetail[] | undefined {
  const cause = error.cause;
  if (cause instanceof ZodError) {
    return cause.issues.map((issue) => ({ path: formatPath(issue.path), message: issue.message }));
  }
  if (cause instanceof AppError) return cause.details;
  return undefined;
}

/** "Invalid input: email: Invalid email address; password: …" — names every field. */
export function validationMessage(details: AppErrorDetail[]): string {
  return `Invalid input: ${details.map((d) => `${d.path}: ${d.message}`).join("; ")}`;
}
