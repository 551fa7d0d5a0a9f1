import { downloadFrom } from "./download";
import type { Classification, ProviderHttp } from "./http/client";
import type { MediaDownload } from "./provider";

/** CDN statuses that mean "this signed URL is stale": get a fresh one and try again. */
const STALE = new Set([403, 404, 410]);

export function classifyCdn({ status }: { status: number }): Classification {
  if (STALE.has(status)) return { code: "retry_later", providerCode: `cdn_${status}` };
  return { code: status === 429 || status >= 500 ? "retry_later" : "misconfigured" };
}

/**
 * Downloads from a signed, expiring CDN URL (no auth header). `resolveUrl` asks the API for
 * a fresh URL; it is called before the first attempt and once more if the CDN answers
 * 403/404/410, since such URLs can lapse between the two calls.
 */
export async function downloadFromCdn(
  http: ProviderHttp,
  what: string,
  resolveUrl: (attempt: number) => Promise<string>,
): Promise<MediaDownload> {
  for (let attempt = 0; ; attempt++) {
    const url = new URL(await resolveUrl(attempt));
    try {
      const response = await http.send({ what, url, headers: { accept: "*/*" } }, classifyCdn);
      return downloadFrom(http, response, what);
    } catch (error) {
      const stale =
        attempt === 0 &&
        typeof error === "object" &&
        error !== null &&
        "status" in error &&
        typeof error.status === "number" &&
        STALE.has(error.status);
      if (!stale) throw error;
    }
  }
}
