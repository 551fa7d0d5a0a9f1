import type { Prisma } from "@lifeline/db";
import type { ProviderId } from "@lifeline/providers";
import { isProviderError } from "@lifeline/providers";

import { writeAuditEvent } from "../audit/write-audit-event";
import type { LinkingDeps, LinkRequestMeta } from "./linking-deps";
import { LinkRefusedError, type LinkRefusalReason } from "./link-refusal";

/**
 * Audits a refused link and returns the error to throw. Nothing secret goes into the event:
 * the provider's error code and HTTP status at most, never its body, a code or a token.
 */
export async function refuseLink(
  deps: Pick<LinkingDeps, "db" | "logger">,
  meta: LinkRequestMeta & { userId: string | null; provider: ProviderId | null },
  refusal: LinkRefusalReason | LinkRefusedError,
  extra: Prisma.InputJsonObject = {},
): Promise<LinkRefusedError> {
  const error = typeof refusal === "string" ? new LinkRefusedError(refusal) : refusal;
  const cause = error.cause;
  const providerDetail: Prisma.InputJsonObject = isProviderError(cause)
    ? {
        providerErrorCode: cause.code,
        ...(cause.status === undefined ? {} : { providerStatus: cause.status }),
        ...(cause.providerCode === undefined ? {} : { providerCode: cause.providerCode }),
      }
    : {};
  await writeAuditEvent(deps.db, {
    type: "account_link_refused",
    userId: meta.userId,
    ip: meta.ip,
    data: {
      reason: error.refusal,
      ...(meta.provider ? { provider: meta.provider } : {}),
      ...providerDetail,
      ...extra,
    },
  });
  deps.logger.info(
    {
      provider: meta.provider,
      userId: meta.userId,
      reason: error.refusal,
      ...(isProviderError(cause) ? { providerError: cause.toJSON() } : {}),
    },
    "account link refused",
  );
  return error;
}
