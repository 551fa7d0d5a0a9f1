import { readdirSync, readFileSync } from "node:fs";

import type { TRPCClientError } from "@trpc/client";
import { describe, expect, expectTypeOf, it } from "vitest";

import {
  createLifelineClient,
  isLifelineError,
  lifelineErrorCode,
  memoryTokenStore,
  type AppRouter,
  type LifelineClient,
  type LifelineErrorCode,
  type RouterInputs,
  type RouterOutputs,
  type SessionExpiredError,
} from "../src";

type User = { id: string; email: string; emailVerifiedAt: string | null; createdAt: string };

describe("types", () => {
  it("procedures are typed from AppRouter", () => {
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

  it("rejects wrong inputs and unknown procedures at compile time", () => {
    const client = createLifelineClient({
      url: "http://localhost:3000",
      tokens: memoryTokenStore(),
    });
    // Never called: these lines exist for the compiler, not to send requests.
    // The last two call what does not exist on purpose, so the linter cannot type them.
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

  it("isLifelineError narrows to Lifeline's error data", () => {
    const check = (error: unknown) => {
      if (!isLifelineError(error)) return;
      expectTypeOf(error).toExtend<TRPCClientError<AppRouter>>();
      expectTypeOf(error.data.code).toEqualTypeOf<LifelineErrorCode>();
      expectTypeOf(error.data.httpStatus).toEqualTypeOf<number>();
      expectTypeOf(error.data.requestId).toEqualTypeOf<string | null>();
      expectTypeOf(error.data.details).toEqualTypeOf<
        { path: string; message: string }[] | undefined
      >();
    };
    expectTypeOf(check).toBeFunction();
    expectTypeOf(lifelineErrorCode).returns.toEqualTypeOf<LifelineErrorCode | null>();
    expectTypeOf<SessionExpiredError>().toExtend<TRPCClientError<AppRouter>>();
  });
});

describe("bundle boundary", () => {
  it("src imports @lifeline/api for types only, so no server code reaches a frontend bundle", () => {
    const dir = new URL("../src/", import.meta.url);
    const files = readdirSync(dir).filter((file) => file.endsWith(".ts"));
    const mentions = files.flatMap((file) => {
      const text = readFileSync(new URL(file, dir), "utf8");
      const all = text.match(/["']@lifeline\/[^"']+["']/g) ?? [];
      // `import type { … } from "@lifeline/…"` / `export type { … } from …`, single- or multi-line.
      const typeOnly =
        text.match(/^(?:import|export) type \{[^}]*\} from ["']@lifeline\/[^"']+["'];/gm) ?? [];
      return all.length === typeOnly.length
        ? []
        : [`${file}: ${all.length - typeOnly.length} value import(s)`];
    });
    expect(mentions).toEqual([]);
  });
});
