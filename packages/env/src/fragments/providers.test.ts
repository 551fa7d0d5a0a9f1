import { describe, expect, it } from "vitest";

import { composeEnv } from "../compose";
import { parseEnv } from "../parse-env";
import { providersEnv } from "./providers";
import { runtimeEnv } from "./runtime";

const schema = composeEnv(runtimeEnv, providersEnv);

describe("the providers fragment", () => {
  it("points development at the stand-in server, and nothing else at it", () => {
    expect(parseEnv(schema, {}).PROVIDER_STANDIN_URL).toBe("http://localhost:4010");
    expect(parseEnv(schema, { NODE_ENV: "test" }).PROVIDER_STANDIN_URL).toBeUndefined();
    expect(parseEnv(schema, { NODE_ENV: "test" })).toMatchObject({
      OAUTH_REDIRECT_BASE_URL: "http://localhost:3000/api/accounts",
      PROVIDER_TIMEOUT_MS: 30_000,
      META_GRAPH_VERSION: "v25.0",
      MICROSOFT_TENANT: "common",
      LINKEDIN_API_VERSION: "202506",
      LINKEDIN_MEMBER_POSTS: false,
    });
  });

  it("refuses the stand-in in production", () => {
    expect(() =>
      parseEnv(schema, { NODE_ENV: "production", PROVIDER_STANDIN_URL: "http://localhost:4010" }),
    ).toThrow(/PROVIDER_STANDIN_URL: must not be set in production/);
    expect(parseEnv(schema, { NODE_ENV: "production" }).PROVIDER_STANDIN_URL).toBeUndefined();
  });

  it("wants a client id and secret together, and well-formed settings", () => {
    expect(() => parseEnv(schema, { NODE_ENV: "test", GOOGLE_CLIENT_ID: "id" })).toThrow(
      /GOOGLE_CLIENT_SECRET: is required when GOOGLE_CLIENT_ID is set/,
    );
    expect(() => parseEnv(schema, { NODE_ENV: "test", X_CLIENT_SECRET: "s" })).toThrow(
      /X_CLIENT_ID: is required/,
    );
    expect(() => parseEnv(schema, { NODE_ENV: "test", MICROSOFT_TENANT: "contoso" })).toThrow(
      /MICROSOFT_TENANT/,
    );
    expect(() => parseEnv(schema, { NODE_ENV: "test", INSTAGRAM_BASE_URL: "not a url" })).toThrow(
      /INSTAGRAM_BASE_URL/,
    );
    expect(
      parseEnv(schema, { NODE_ENV: "test", X_CLIENT_ID: "i", X_CLIENT_SECRET: "s" }),
    ).toMatchObject({
      X_CLIENT_ID: "i",
      X_CLIENT_SECRET: "s",
    });
  });
});
