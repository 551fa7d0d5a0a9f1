import { readdirSync, readFileSync } from "node:fs";

import { describe, expectTypeOf, expect, it } from "vitest";

import {
  createLifelineClient,
  memoryTokenStore,
  SessionExpiredError,
  type LifelineClient,
  type LifelineErrorCode,
  type LifelineErrorData,
  type RouterInputs,
  type RouterOutputs,
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
    const client = createLifelineClient({ url: "http://localhost:3000", tokens: memoryTokenStore() });
    // Never called: these lines exist for the compiler, not to send requests.
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
    expectTypeOf(_compileOnly).toBeFunction();
  });

  it("SessionExpiredError carries the typed error data", () => {
    expectTypeOf<NonNullable<SessionExpiredError["data"]>>().toEqualTypeOf<LifelineErrorData>();
    expectTypeOf<LifelineErrorData["code"]>().toEqualTypeOf<LifelineErrorCode>();
    expectTypeOf<LifelineErrorData>().toMatchObjectType<{
      httpStatus: number;
      requestId: string | null;
      details?: { path: string; message: string }[];
    }>();
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
      const typeOnly = text.match(/^(?:import|export) type \{[^}]*\} from ["']@lifeline\/[^"']+["'];/gm) ?? [];
      return all.length === typeOnly.length ? [] : [`${file}: ${all.length - typeOnly.length} value import(s)`];
    });
    expect(mentions).toEqual([]);
  });
});
