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
export type { LifelineErrorData } from "./errors/format-error";

export type RouterInputs = inferRouterInputs<AppRouter>;
export type RouterOutputs = inferRouterOutputs<AppRouter>;
