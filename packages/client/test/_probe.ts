import type { TRPCClientError } from "@trpc/client";
import type { AppRouter } from "@lifeline/api";
type D = NonNullable<TRPCClientError<AppRouter>["data"]>;
type S = AppRouter["_def"]["_config"]["$types"]["errorShape"];
export const d: { [K in keyof D]: D[K] } = null!;
export const s: S = 1 as unknown as number;
