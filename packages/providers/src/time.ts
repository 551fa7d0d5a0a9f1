/**
 * A provider's timestamp as a Date, or null when absent or unreadable:
 * - ISO 8601, including Meta's offsets written without a colon (`2025-06-01T18:22:05+0000`);
 * - epoch milliseconds, as a number (LinkedIn) or a numeric string (Gmail's `internalDate`).
 */
export function parseProviderTime(value: string | number | null | undefined): Date | null {
  if (value === null || value === undefined || value === "") return null;
  if (typeof value === "number" || /^\d+$/.test(value)) {
    const date = new Date(Number(value));
    return Number.isNaN(date.getTime()) ? null : date;
  }
  const iso = value.replace(/([+-])(\d{2})(\d{2})$/, "$1$2:$3");
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? null : date;
}
