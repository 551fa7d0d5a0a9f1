export { API_VERSION, BEARER_SCHEME, createOpenApiDocument } from "./document";
export { ZErrorResponseSchema, type ErrorResponse } from "./error-schema";
export { OPERATION_EXAMPLES } from "./examples";
export { listProcedures, type OpenApiOperation } from "./operations";
export { readBridgeError, type BridgeError } from "./rest-error";
export type { PlainRouteDoc } from "./plain-routes";
