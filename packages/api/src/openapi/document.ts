import { generateOpenApiDocument, type OpenAPIObject } from "trpc-to-openapi";

import { appRouter } from "../root";
import { ZErrorResponseSchema } from "./error-schema";
import { OPERATION_EXAMPLES } from "./examples";
import { listProcedures, type OpenApiOperation } from "./operations";
import type { PlainRouteDoc } from "./plain-routes";

/** The version of the REST contract, shown in /openapi.json and /api-docs. */
export const API_VERSION = "0.1.0";

/** Name of the security scheme protected operations reference. */
export const BEARER_SCHEME = "bearerAuth";

const ERROR_SCHEMA = "Error";
const ERROR_REF = { $ref: `#/components/schemas/${ERROR_SCHEMA}` };

const TAG_DESCRIPTIONS: Record<string, string> = {
  auth: "Accounts, sign-in, token refresh and sessions",
  media: "The timeline: uploads, items, their bytes and thumbnails",
  admin: "Operators: the job queues",
  accounts:
    "Linked provider accounts (Instagram, X, Facebook, Gmail, Outlook, LinkedIn): linking, listing, unlinking",
  imports: "Imports of linked accounts: start one, follow its progress, counts and per-item errors",
};

/** What each error status means here, and an example body for it. */
const ERROR_RESPONSES: Record<string, { description: string; code: string; message: string }> = {
  "400": {
    description: "Invalid input; `details` names each field",
    code: "BAD_REQUEST",
    message: "Invalid input: email: must be a valid email address",
  },
  "401": {
    description: "Missing, invalid or expired access token",
    code: "UNAUTHORIZED",
    message: "Sign in required",
  },
  "403": { description: "Not allowed", code: "FORBIDDEN", message: "Forbidden" },
  "404": { description: "Not found", code: "NOT_FOUND", message: "No such session" },
  "409": {
    description: "Conflicts with existing data",
    code: "CONFLICT",
    message: "An account with this email already exists",
  },
  "413": {
    description: "The body (e.g. an uploaded file) is larger than the server accepts",
    code: "PAYLOAD_TOO_LARGE",
    message: "The file is larger than the limit of 2147483648 bytes",
  },
  "415": {
    description: "The body's type (or an uploaded file's) is not one this operation accepts",
    code: "UNSUPPORTED_MEDIA_TYPE",
    message: "Send the file as multipart/form-data, in a part named `file`",
  },
  "429": {
    description: "Rate limited; retry after the number of seconds in Retry-After",
    code: "TOO_MANY_REQUESTS",
    message: "Too many requests; try again later",
  },
  "503": {
    description: "A dependency (e.g. the rate limiter) is unavailable; retry shortly",
    code: "SERVICE_UNAVAILABLE",
    message: "Rate limiter unavailable; try again shortly",
  },
  "500": {
    description: "Internal server error; quote the requestId when reporting it",
    code: "INTERNAL_SERVER_ERROR",
    message: "Internal server error",
  },
};

const EXAMPLE_REQUEST_ID = "0b6d3c1e-5f0a-4f4e-9d43-0e7c7c0b1f8a";

type PathItem = NonNullable<OpenAPIObject["paths"]>[string];
type Operation = NonNullable<PathItem["get"]>;
type Response = NonNullable<NonNullable<Operation["responses"]>["default"]>;
/** The generator types status entries as `any`; these are what they hold. */
type Responses = Record<string, Response>;

function errorResponse(status: string, description?: string): Response {
  const known = ERROR_RESPONSES[status] ?? {
    description: "Error",
    code: "BAD_REQUEST",
    message: "Bad request",
  };
  const example: Record<string, unknown> = {
    code: known.code,
    message: known.message,
    requestId: EXAMPLE_REQUEST_ID,
  };
  if (status === "400")
    example.details = [{ path: "email", message: "must be a valid email address" }];
  return {
    description: description ?? known.description,
    ...(status === "429"
      ? {
          headers: {
            "Retry-After": {
              description: "Seconds to wait before retrying",
              schema: { type: "integer", minimum: 1 },
            },
          },
        }
      : {}),
    content: { "application/json": { schema: ERROR_REF, example: { error: example } } },
  };
}

/**
 * The error statuses an operation documents: those its meta lists in `errorResponses`, else
 * the generator's guess (minus 401/403 for public procedures); 429 and 500 always.
 */
function errorStatuses(
  generated: Responses,
  operation: OpenApiOperation,
): Map<string, string | undefined> {
  const declared = operation.meta.errorResponses;
  const statuses = new Map<string, string | undefined>();
  if (Array.isArray(declared)) {
    declared.forEach((status) => statuses.set(String(status), undefined));
  } else if (declared) {
    Object.entries(declared).forEach(([status, text]) => statuses.set(status, text));
  } else {
    for (const status of Object.keys(generated)) {
      if (Number(status) < 400) continue;
      if (!operation.protect && (status === "401" || status === "403")) continue;
      statuses.set(status, undefined);
    }
  }
  for (const status of ["429", "500"]) if (!statuses.has(status)) statuses.set(status, undefined);
  return statuses;
}

function setJsonExample(
  content: Record<string, { example?: unknown }> | undefined,
  example: unknown,
): void {
  const json = content?.["application/json"];
  if (json && example !== undefined) json.example = example;
}

/**
 * The OpenAPI 3.1 document of the REST bridge, generated from the procedures' meta and
 * zod schemas, then finished here: one shared Error schema for every error response (the
 * generator invents its own, which is not what the API sends), bearer auth only where a
 * procedure says `protect: true`, 429 everywhere (the global rate limit), and examples.
 *
 * `baseUrl` is the servers entry; keep it relative ("/api") so the document works on any
 * host and port.
 */
export function createOpenApiDocument({
  baseUrl,
  plainRoutes = [],
}: {
  baseUrl: string;
  /** Routes outside tRPC (uploads, byte streams) that describe themselves. */
  plainRoutes?: readonly PlainRouteDoc[];
}): OpenAPIObject {
  const doc = generateOpenApiDocument(appRouter, {
    title: "Lifeline API",
    version: API_VERSION,
    description:
      "REST for every Lifeline procedure (the same procedures the typed tRPC client calls at /trpc). " +
      "Sign in with POST /auth/login, then send `Authorization: Bearer <accessToken>`. " +
      "Errors always have the shape `{ error: { code, message, details?, requestId } }`.",
    baseUrl,
    securitySchemes: {
      [BEARER_SCHEME]: {
        type: "http",
        scheme: "bearer",
        bearerFormat: "JWT",
        description: "The accessToken from /auth/login, /auth/refresh (15 minutes).",
      },
    },
    defs: { [ERROR_SCHEMA]: ZErrorResponseSchema },
  });

  const tags = new Set<string>();
  for (const { openapi } of listProcedures(appRouter)) {
    if (!openapi) continue;
    const method = openapi.method.toLowerCase() as "get" | "post" | "put" | "patch" | "delete";
    const operation = doc.paths?.[openapi.path]?.[method];
    if (!operation) continue;
    openapi.meta.tags?.forEach((tag) => tags.add(tag));

    // trpc-to-openapi protects every operation unless told `protect: false`; here protection
    // is opt-in, as it is in the routers (public procedures simply omit it).
    if (openapi.protect) operation.security = [{ [BEARER_SCHEME]: [] }];
    else delete operation.security;

    const generated: Responses = operation.responses ?? {};
    const responses: Responses = {};
    for (const [status, response] of Object.entries(generated)) {
      if (Number(status) < 400) responses[status] = response;
    }
    for (const [status, description] of errorStatuses(generated, openapi)) {
      responses[status] = errorResponse(status, description);
    }
    operation.responses = responses;

    const examples = OPERATION_EXAMPLES[openapi.procedure];
    const body = operation.requestBody;
    if (examples && body && "content" in body) setJsonExample(body.content, examples.request);
    const ok = responses["200"];
    if (examples && ok && "content" in ok) setJsonExample(ok.content, examples.response);
  }

  for (const route of plainRoutes) {
    const statuses = new Set([...route.errorStatuses.map(String), "429", "500"]);
    const responses: Responses = { ...(route.operation.responses as Responses) };
    for (const status of statuses) responses[status] = errorResponse(status);
    const paths = (doc.paths ??= {});
    const item = (paths[route.path] ??= {});
    item[route.method] = {
      ...route.operation,
      tags: [route.tag],
      ...(route.protect ? { security: [{ [BEARER_SCHEME]: [] }] } : {}),
      responses,
    };
    tags.add(route.tag);
  }

  // The generator's own error schemas ("error.BAD_REQUEST", …) are no longer referenced.
  const schemas = doc.components?.schemas ?? {};
  for (const name of Object.keys(schemas)) {
    if (name.startsWith("error.")) Reflect.deleteProperty(schemas, name);
  }
  doc.tags = [...tags].map((name) => ({
    name,
    ...(TAG_DESCRIPTIONS[name] ? { description: TAG_DESCRIPTIONS[name] } : {}),
  }));
  return doc;
}
