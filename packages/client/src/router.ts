/**
 * The router type a client needs, and nothing more.
 *
 * `typeof appRouter` carries the server's context type (database client, logger, Redis…)
 * and its OpenAPI meta type. A client only needs each procedure's kind, input and output,
 * plus the error shape, so this module rebuilds the router type from those alone.
 *
 * Why functions: the published .d.ts is bundled as text. A type alias is printed as written
 * (`Erase<ServerRouter>`), which would drag the whole server into the declarations. The
 * inferred return type of a function is printed *expanded* when it uses type aliases that
 * cannot be named outside it (the local ones below), so the declaration emitter writes out
 * plain object types that mention nothing but `@trpc/server`. The functions never run: only
 * `ReturnType<typeof …>` of them is exported, and this module is imported as types only.
 */
import type { AppRouter as ServerRouter } from "@lifeline/api";
import type {
  TRPCBuiltRouter,
  TRPCMutationProcedure,
  TRPCQueryProcedure,
  TRPCSubscriptionProcedure,
} from "@trpc/server";

function _errorShapeType() {
  // Server-side interfaces (LifelineErrorData, AppErrorDetail…) become structural copies.
  type Plain<T> = T extends readonly unknown[]
    ? { [K in keyof T]: Plain<T[K]> }
    : T extends object
      ? { [K in keyof T]: Plain<T[K]> }
      : T;
  type ServerShape = ServerRouter["_def"]["_config"]["$types"]["errorShape"];
  // `reason` is typed as what may arrive on the wire, any string: a newer server may send a
  // reason this client does not know (`lifelineErrorReason()` narrows it to the known ones),
  // and a server from before reasons declares none.
  type Data = Plain<Omit<ServerShape["data"], "reason"> & { reason?: string }>;
  type Shape = { [K in keyof ServerShape]: K extends "data" ? Data : Plain<ServerShape[K]> };
  return null as unknown as Shape;
}

/** The shape of every error the server sends: `{ message, code, data }`. */
export type LifelineErrorShape = ReturnType<typeof _errorShapeType>;

function _routerType() {
  type ServerRoot = ServerRouter["_def"]["_config"]["$types"];
  type Def<D extends { input: unknown; output: unknown }> = {
    input: D["input"];
    output: D["output"];
    meta: object;
    errorShape: LifelineErrorShape;
  };
  type ClientRecord<TRecord> = {
    [K in keyof TRecord]: TRecord[K] extends TRPCQueryProcedure<infer D>
      ? TRPCQueryProcedure<Def<D>>
      : TRecord[K] extends TRPCMutationProcedure<infer D>
        ? TRPCMutationProcedure<Def<D>>
        : TRecord[K] extends TRPCSubscriptionProcedure<infer D>
          ? TRPCSubscriptionProcedure<Def<D>>
          : ClientRecord<TRecord[K]>;
  };
  type ClientRouter = TRPCBuiltRouter<
    {
      ctx: object;
      meta: object;
      errorShape: LifelineErrorShape;
      transformer: ServerRoot["transformer"];
    },
    ClientRecord<ServerRouter["_def"]["record"]>
  >;
  return null as unknown as ClientRouter;
}

/**
 * The Lifeline API's router as a client sees it: every procedure with its input and output
 * types, the error shape and the transformer; no server context, no metadata.
 */
export type AppRouter = ReturnType<typeof _routerType>;
