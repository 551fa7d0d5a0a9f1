import type { inferRouterInputs, inferRouterOutputs } from "@trpc/server";

import type { AppRouter } from "./root";

export { appRouter, type AppRouter } from "./root";
export {
  createContext,
  createInnerContext,
  type ApiDeps,
  type Context,
  type LinkingConfig,
  type RequestBudget,
  type RequestInfo,
} from "./context";
export { createCallerFactory, signedIn } from "./trpc";
export {
  createRateLimits,
  type RateLimits,
  type BudgetName,
  type RateLimitsConfig,
  type WindowConfig,
} from "./rate-limit/rate-limits";
export type { RateLimitResult } from "./rate-limit/rate-limit-result";
export { rateLimitHeaders } from "./rate-limit/rate-limit-headers";
export { tooManyRequests } from "./rate-limit/too-many-requests";
export type {
  Attempt,
  FailureOutcome,
  LockoutStatus,
  LoginLockout,
} from "./rate-limit/login-lockout";
export { clientKey } from "./rate-limit/client-key";
export { withTimeout } from "./rate-limit/with-timeout";
export { INTERNAL_MESSAGE, type LifelineErrorData } from "./errors/format-error";
export { isDependencyFailure, isRedisUnavailable } from "./errors/dependency-failure";
export {
  appErrorFor,
  UNAVAILABLE_MESSAGE,
  UNAVAILABLE_RETRY_SECONDS,
} from "./errors/to-trpc-error";
export { PASSWORD_CALLS_PER_REQUEST } from "./middlewares/password-budget";

export type RouterInputs = inferRouterInputs<AppRouter>;
export type RouterOutputs = inferRouterOutputs<AppRouter>;
export * from "./openapi";
