import type { OpenAPIObject } from "trpc-to-openapi";

type PathItem = NonNullable<OpenAPIObject["paths"]>[string];
type Operation = NonNullable<PathItem["get"]>;

/**
 * A route outside tRPC (file upload, byte streaming): it cannot be generated from a
 * procedure, so it describes itself. The document adds the standard error responses for
 * `errorStatuses` (plus 429 and 500), the bearer scheme when `protect`, and its tag.
 */
export interface PlainRouteDoc {
  method: "get" | "post" | "put" | "patch" | "delete";
  /** Below the REST base URL, OpenAPI style: `/media/{id}/content`. */
  path: string;
  tag: string;
  protect: boolean;
  errorStatuses: number[];
  /** Summary, parameters, request body and the success responses. */
  operation: Operation;
}
