import { createOAuthState, createPkcePair, type ProviderId } from "@lifeline/providers";

import { writeAuditEvent } from "../audit/write-audit-event";
import { AppError } from "../errors/app-error";
import { linkingClock, type LinkingDeps, type LinkRequestMeta } from "./linking-deps";
import { refuseLink } from "./link-audit";

export interface StartLinkInput {
  userId: string;
  provider: ProviderId;
  /**
   * A client that owns its redirect URI (an app finishing with completeLink) names it here;
   * its origin must be allow-listed. Default: the server's own callback.
   */
  redirectUri?: string | undefined;
}

export interface StartedLink {
  /** Send the user's browser here. */
  authorizeUrl: string;
  /** The callback must arrive before this. */
  expiresAt: Date;
}

/**
 * Begins linking: a random state (192 bits) and, where the provider takes one, a PKCE S256
 * verifier, stored in Redis for 10 minutes bound to the user and provider; the answer is
 * the provider's consent URL carrying the state and the verifier's challenge.
 */
export async function startLink(
  deps: LinkingDeps,
  input: StartLinkInput,
  meta: LinkRequestMeta,
): Promise<StartedLink> {
  const { userId, provider: providerId } = input;
  if (!deps.providers.isAvailable(providerId)) {
    throw await refuseLink(
      deps,
      { ...meta, userId, provider: providerId },
      "provider_not_configured",
      {
        step: "start",
      },
    );
  }
  const redirectUri = input.redirectUri ?? deps.providers.redirectUri(providerId);
  if (input.redirectUri !== undefined) assertAllowedRedirect(deps, input.redirectUri);
  const provider = deps.providers.get(providerId);
  const state = createOAuthState();
  const pkce = provider.usesPkce ? createPkcePair() : null;
  const now = linkingClock(deps);
  await deps.states.save(state, {
    userId,
    provider: providerId,
    redirectUri,
    codeVerifier: pkce?.verifier ?? null,
    startedAt: now.toISOString(),
  });
  const authorizeUrl = provider.authorizeUrl({
    state,
    redirectUri,
    ...(pkce ? { codeChallenge: pkce.challenge } : {}),
  });
  await writeAuditEvent(deps.db, {
    type: "account_link_started",
    userId,
    ip: meta.ip,
    data: {
      provider: providerId,
      pkce: pkce !== null,
      clientRedirect: input.redirectUri !== undefined,
    },
  });
  return {
    authorizeUrl: authorizeUrl.toString(),
    expiresAt: new Date(now.getTime() + deps.states.ttlSeconds * 1000),
  };
}

function assertAllowedRedirect(deps: LinkingDeps, redirectUri: string): void {
  let origin: string;
  try {
    origin = new URL(redirectUri).origin;
  } catch {
    origin = "null";
  }
  const allowed = (deps.clientRedirectOrigins ?? []).some(
    (candidate) => origin !== "null" && safeOrigin(candidate) === origin,
  );
  if (!allowed) {
    throw new AppError({
      code: "BAD_REQUEST",
      message: "redirectUri is not one this server allows",
      details: [{ path: "redirectUri", message: "its origin is not on this server's allow-list" }],
    });
  }
}

function safeOrigin(value: string): string | null {
  try {
    return new URL(value).origin;
  } catch {
    return null;
  }
}
