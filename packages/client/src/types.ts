import type { TRPCClient } from "@trpc/client";
import type { inferRouterInputs, inferRouterOutputs } from "@trpc/server";

import type { AppRouter, LifelineErrorShape } from "./router";

export type { AppRouter, LifelineErrorShape } from "./router";

/** Every procedure's input, e.g. `RouterInputs["auth"]["login"]`. */
export type RouterInputs = inferRouterInputs<AppRouter>;

/** Every procedure's output, e.g. `RouterOutputs["auth"]["me"]`. */
export type RouterOutputs = inferRouterOutputs<AppRouter>;

/** The `data` of every error the server sends: `{ code, httpStatus, path?, requestId, … }`. */
export type LifelineErrorData = LifelineErrorShape["data"];

/** The typed client `createLifelineClient` returns: `client.auth.me.query()` and so on. */
export type LifelineClient = TRPCClient<AppRouter>;
