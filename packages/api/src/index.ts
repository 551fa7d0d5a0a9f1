import type { inferRouterInputs, inferRouterOutputs } from "@trpc/server";

import type { AppRouter } from "./root";

export { appRouter, type AppRouter } from "./root";
export {
  createContext,
  createInnerContext,
  type ApiDeps,
  type Context,
  type RequestInfo,
} from "./context";
export { createCallerFactory } from "./trpc";
export {
  createRateLimits,
  type RateLimits,
  type RateLimitsConfig,
  type WindowConfig,
} from "./rate-limit/rate-limits";
export type { RateLimitResult } from "./rate-limit/rate-limit-result";
export { rateLimitHeaders } from "./rate-limit/rate-limit-headers";
export type { LockoutStatus, LoginLockout } from "./rate-limit/login-lockout";
export { INTERNAL_MESSAGE, type LifelineErrorData } from "./errors/format-error";

export type RouterInputs = inferRouterInputs<AppRouter>;
export type RouterOutputs = inferRouterOutputs<AppRouter>;
export * from "./openapi";
