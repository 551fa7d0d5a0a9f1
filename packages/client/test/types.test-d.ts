// Type tests: `pnpm test` runs tsc over this file (Vitest typecheck mode), so every
// expectation here fails the run when it stops holding. Nothing in it executes.
import type {
  AppRouter as ServerRouter,
  LifelineErrorData as ServerErrorData,
  RouterInputs as ServerInputs,
  RouterOutputs as ServerOutputs,
} from "@lifeline/api";
import type { TRPCClientError } from "@trpc/client";
import { describe, expectTypeOf, test } from "vitest";

import {
  createLifelineClient,
  isLifelineError,
  lifelineErrorCode,
  lifelineErrorReason,
  type AppRouter,
  type CreateLifelineClientOptions,
  type LifelineClient,
  type LifelineErrorCode,
  type LifelineErrorData,
  type LifelineErrorReason,
  type RouterInputs,
  type RouterOutputs,
  type SessionExpiredError,
} from "../src";

type User = {
  id: string;
  email: string;
  emailVerified: boolean;
  emailVerifiedAt: string | null;
  createdAt: string;
};

describe("procedures are typed from the server's router", () => {
  test("outputs and inputs", () => {
    type MeResult = Awaited<ReturnType<LifelineClient["auth"]["me"]["query"]>>;
    expectTypeOf<MeResult>().toEqualTypeOf<{ user: User }>();
    expectTypeOf<RouterOutputs["auth"]["me"]>().toEqualTypeOf<MeResult>();

    type LoginInput = Parameters<LifelineClient["auth"]["login"]["mutate"]>[0];
    expectTypeOf<LoginInput>().toEqualTypeOf<{ email: string; password: string }>();
    expectTypeOf<RouterInputs["auth"]["login"]>().toEqualTypeOf<LoginInput>();

    type LoginResult = Awaited<ReturnType<LifelineClient["auth"]["login"]["mutate"]>>;
    expectTypeOf<LoginResult>().toEqualTypeOf<{
      accessToken: string;
      refreshToken: string;
      expiresIn: number;
      user: User;
    }>();
  });

  test("register answers the same for any address: no user in it", () => {
    type RegisterResult = Awaited<ReturnType<LifelineClient["auth"]["register"]["mutate"]>>;
    expectTypeOf<RegisterResult>().toEqualTypeOf<{ ok: true; message: string }>();
  });

  test("linking accounts: startLink gives a consent URL, list never a token", () => {
    type StartLinkInput = Parameters<LifelineClient["accounts"]["startLink"]["mutate"]>[0];
    expectTypeOf<{ provider: "instagram" }>().toExtend<StartLinkInput>();
    expectTypeOf<{ provider: "myspace" }>().not.toExtend<StartLinkInput>();
    type StartLinkResult = Awaited<ReturnType<LifelineClient["accounts"]["startLink"]["mutate"]>>;
    expectTypeOf<StartLinkResult>().toEqualTypeOf<{ authorizeUrl: string; expiresAt: string }>();
    type Account = RouterOutputs["accounts"]["list"]["accounts"][number];
    expectTypeOf<Extract<keyof Account, `${string}oken${string}`>>().toBeNever();
    expectTypeOf<Account["status"]>().toEqualTypeOf<"active" | "needs_reauth" | "revoked">();
  });

  test("the client's router has every procedure of the server's, with the same types", () => {
    expectTypeOf<RouterInputs>().toEqualTypeOf<ServerInputs>();
    expectTypeOf<RouterOutputs>().toEqualTypeOf<ServerOutputs>();
  });

  test("and none of the server's context or metadata", () => {
    type Root = AppRouter["_def"]["_config"]["$types"];
    expectTypeOf<Root["ctx"]>().toEqualTypeOf<object>();
    expectTypeOf<Root["meta"]>().toEqualTypeOf<object>();
    expectTypeOf<Root["transformer"]>().toEqualTypeOf<
      ServerRouter["_def"]["_config"]["$types"]["transformer"]
    >();
  });

  test("wrong inputs and unknown procedures do not compile", () => {
    const client = createLifelineClient({
      url: "http://localhost:3000",
      tokens: { get: () => null, set: () => undefined, clear: () => undefined },
    });
    // Never called: these lines exist for the compiler. The last two call what does not
    // exist on purpose, so the linter cannot type them.
    /* eslint-disable @typescript-eslint/no-unsafe-call */
    const _compileOnly = () => {
      // @ts-expect-error: password is required
      void client.auth.login.mutate({ email: "a@example.com" });
      // @ts-expect-error: email is required
      void client.auth.login.mutate({ password: "secret" });
      // @ts-expect-error: me is a query, not a mutation
      void client.auth.me.mutate();
      // @ts-expect-error: no such procedure
      void client.auth.nope.query();
    };
    /* eslint-enable @typescript-eslint/no-unsafe-call */
    expectTypeOf(_compileOnly).toBeFunction();
  });
});

describe("errors", () => {
  test("isLifelineError narrows to Lifeline's error data", () => {
    const check = (error: unknown) => {
      if (!isLifelineError(error)) return;
      expectTypeOf(error).toExtend<TRPCClientError<AppRouter>>();
      expectTypeOf(error.data.code).toEqualTypeOf<LifelineErrorCode>();
      expectTypeOf(error.data.httpStatus).toEqualTypeOf<number>();
      expectTypeOf(error.data.requestId).toEqualTypeOf<string | null>();
      expectTypeOf(error.data.reason).toEqualTypeOf<string | undefined>();
      expectTypeOf(error.data.details).toEqualTypeOf<
        { path: string; message: string }[] | undefined
      >();
    };
    expectTypeOf(check).toBeFunction();
    expectTypeOf(lifelineErrorCode).returns.toEqualTypeOf<LifelineErrorCode | null>();
    expectTypeOf<SessionExpiredError>().toExtend<TRPCClientError<AppRouter>>();
  });

  test("the client's error data has the server's fields, and reason", () => {
    expectTypeOf<keyof LifelineErrorData>().toEqualTypeOf<keyof ServerErrorData | "reason">();
    expectTypeOf<ServerErrorData>().toExtend<LifelineErrorData>();
  });

  test("reasons: the client knows every reason the server can send", () => {
    // The server's `reason` type (never for a server that declares none).
    type ServerReason = {
      [K in keyof ServerErrorData]-?: K extends "reason" ? NonNullable<ServerErrorData[K]> : never;
    }[keyof ServerErrorData];
    expectTypeOf(lifelineErrorReason).returns.toEqualTypeOf<LifelineErrorReason | null>();
    // In a tuple, so that `never` (no reasons) passes too.
    expectTypeOf<[ServerReason]>().toExtend<[LifelineErrorReason]>();
    expectTypeOf<"token_expired">().toExtend<LifelineErrorReason>();
    expectTypeOf<"not_a_reason">().not.toExtend<LifelineErrorReason>();
  });

  test("batch takes a boolean or a cap", () => {
    expectTypeOf<{ maxItems: 5 }>().toExtend<CreateLifelineClientOptions["batch"]>();
    expectTypeOf<false>().toExtend<CreateLifelineClientOptions["batch"]>();
    expectTypeOf<{ maxItems: "5" }>().not.toExtend<CreateLifelineClientOptions["batch"]>();
  });
});
