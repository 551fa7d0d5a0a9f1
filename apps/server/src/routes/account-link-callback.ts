import { clientKey, isDependencyFailure, type ApiDeps, type PlainRouteDoc } from "@lifeline/api";
import {
  completeLink,
  isProviderId,
  LinkRefusedError,
  PROVIDER_IDS,
  type ProviderId,
} from "@lifeline/core";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";

import type { PlainRouteModule } from "./plain-routes";

/**
 * Where the browser lands after the consent screen, besides a refusal's own reasons
 * (LinkRefusalReason): the provider in the path is not one of ours, the query is too big to
 * be a provider's, this client sent too many callbacks, or something here failed.
 */
type CallbackOutcomeReason =
  "unknown_provider" | "bad_request" | "too_many_requests" | "unavailable" | "internal_error";

/** Longest value a provider's callback parameter may have (codes are a few hundred characters). */
const MAX_PARAM_LENGTH = 4096;
const PARAMS = ["code", "state", "error", "error_description", "error_reason"] as const;

/** `${FRONTEND_URL}/accounts?link=…`: the outcome only, never a code, state or token. */
function outcomeUrl(
  frontendUrl: string,
  outcome: { result: "success" | "error"; provider?: ProviderId; reason?: string },
): string {
  const query = new URLSearchParams();
  query.set("link", outcome.result);
  if (outcome.provider) query.set("provider", outcome.provider);
  if (outcome.reason) query.set("reason", outcome.reason);
  return `${frontendUrl.replace(/\/+$/, "")}/accounts?${query.toString()}`;
}

/** The provider's parameters, bounded; null when something is oversized or repeated. */
function callbackParams(req: FastifyRequest): URLSearchParams | null {
  const raw = new URLSearchParams(req.url.split("?")[1] ?? "");
  const params = new URLSearchParams();
  for (const name of PARAMS) {
    const values = raw.getAll(name);
    if (values.length > 1) return null;
    const [value] = values;
    if (value === undefined) continue;
    if (value.length > MAX_PARAM_LENGTH) return null;
    params.set(name, value);
  }
  return params;
}

function redirect(reply: FastifyReply, location: string): FastifyReply {
  // The callback URL carried a code: nothing of this answer may be cached or leak a referrer.
  return reply
    .header("cache-control", "no-store")
    .header("referrer-policy", "no-referrer")
    .redirect(location, 302);
}

async function handleCallback(
  deps: ApiDeps,
  req: FastifyRequest<{ Params: { provider: string } }>,
  reply: FastifyReply,
): Promise<FastifyReply> {
  const to = (outcome: Parameters<typeof outcomeUrl>[1]) =>
    redirect(reply, outcomeUrl(deps.linking.frontendUrl, outcome));
  const fail = (reason: CallbackOutcomeReason, provider?: ProviderId) =>
    to({ result: "error", reason, ...(provider ? { provider } : {}) });

  const providerParam = req.params.provider;
  if (!isProviderId(providerParam)) return fail("unknown_provider");
  const provider = providerParam;

  const budget = await deps.rateLimits.checkBudget("linkCallback", clientKey(req.ip));
  if (!budget.allowed) return fail("too_many_requests", provider);

  const callback = callbackParams(req);
  if (!callback) return fail("bad_request", provider);

  try {
    await completeLink(
      {
        db: deps.db,
        providers: deps.providers,
        cipher: deps.tokenCipher,
        states: deps.linking.states,
        logger: req.log,
        ...(deps.now ? { now: deps.now } : {}),
      },
      { provider, callback },
      { ip: req.ip || null },
    );
    return await to({ result: "success", provider });
  } catch (error) {
    if (error instanceof LinkRefusedError) {
      return to({ result: "error", provider, reason: error.refusal });
    }
    if (isDependencyFailure(error)) {
      req.log.error({ err: error, provider }, "link callback: a dependency is unavailable");
      return fail("unavailable", provider);
    }
    req.log.error({ err: error, provider }, "link callback failed");
    return fail("internal_error", provider);
  }
}

type Parameter = NonNullable<PlainRouteDoc["operation"]["parameters"]>[number];

const PROVIDER_PARAMETER: Parameter = {
  name: "provider",
  in: "path" as const,
  required: true,
  description: "The provider that redirected here",
  schema: {
    type: "string",
    enum: [...PROVIDER_IDS],
  },
  example: "instagram",
};

const queryParameter = (name: string, description: string): Parameter => ({
  name,
  in: "query" as const,
  required: false,
  description,
  schema: { type: "string" as const, maxLength: MAX_PARAM_LENGTH },
});

const docs: PlainRouteDoc[] = [
  {
    method: "get",
    path: "/accounts/{provider}/callback",
    tag: "accounts",
    protect: false,
    errorStatuses: [],
    operation: {
      operationId: "accounts-link-callback",
      summary: "The provider's redirect back after consent (a browser lands here; no bearer token)",
      description: [
        "Registered at each provider as `${OAUTH_REDIRECT_BASE_URL}/{provider}/callback`. The user",
        "comes from the `state`, which is taken once from Redis (10 minutes after startLink).",
        "The code is exchanged, the account linked, and the browser redirected to",
        "`${FRONTEND_URL}/accounts?link=success&provider=…` or `…?link=error&provider=…&reason=…`",
        "(reasons: state_missing, state_unknown, state_expired, state_reused,",
        "state_provider_mismatch, access_denied, provider_error, code_missing, exchange_failed,",
        "provider_unavailable, misconfigured, provider_not_configured, account_taken,",
        "unknown_provider, bad_request, too_many_requests, unavailable, internal_error).",
        "The redirect never carries a code, a state or a token.",
        "Counted per client IP (RATE_LIMIT_LINK_CALLBACK_MAX per RATE_LIMIT_LINK_CALLBACK_WINDOW).",
      ].join(" "),
      parameters: [
        PROVIDER_PARAMETER,
        queryParameter("code", "The authorization code (on success)"),
        queryParameter("state", "The state startLink put in the consent URL"),
        queryParameter("error", "The provider's error instead of a code, e.g. access_denied"),
        queryParameter("error_description", "The provider's words for the error"),
      ],
      responses: {
        "302": {
          description: "Always: to the frontend's accounts page, carrying only the outcome",
          headers: {
            Location: {
              description: "The frontend page with `link`, `provider` and (on error) `reason`",
              schema: { type: "string" as const },
              example: "http://localhost:5173/accounts?link=success&provider=instagram",
            },
          },
        },
      },
    },
  },
];

/**
 * GET /api/accounts/{provider}/callback: public (the browser arrives from the provider with
 * no bearer token), so it is registered outside the authenticated scope; the state names
 * the user. Whatever happens, the answer is a redirect to the frontend with the outcome.
 */
export const accountLinkCallbackRoutes: PlainRouteModule = {
  docs,
  register(scope: FastifyInstance, deps: ApiDeps) {
    scope.get<{ Params: { provider: string } }>("/api/accounts/:provider/callback", (req, reply) =>
      handleCallback(deps, req, reply),
    );
  },
};
