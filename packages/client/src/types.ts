/**
 * Router types, re-exported as types only. `import type` is erased at build time, so a
 * frontend that imports this package bundles none of the server's code, only its shapes.
 */
import type { AppRouter } from "@lifeline/api";
import type { TRPCClient } from "@trpc/client";

export type { AppRouter, LifelineErrorData, RouterInputs, RouterOutputs } from "@lifeline/api";

/** The typed client `createLifelineClient` returns: `client.auth.me.query()` and so on. */
export type LifelineClient = TRPCClient<AppRouter>;
