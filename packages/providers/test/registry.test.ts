import { parseEnv, serverEnvSchema, jobsEnvSchema } from "@lifeline/env";
import { describe, expect, it } from "vitest";

import {
  ProviderError,
  createProviderRegistry,
  defaultProvidersConfig,
  providersConfigFromEnv,
} from "../src/index";
import { testConfig } from "./support";

describe("the provider registry", () => {
  it("reports a provider without credentials as unavailable, and refuses it as misconfigured", () => {
    const config = testConfig((c) => {
      c.facebook.credentials = null;
      c.linkedin.credentials = null;
    });
    const registry = createProviderRegistry(config);
    expect(registry.available()).toEqual(["instagram", "x", "google", "microsoft"]);
    expect(registry.isAvailable("facebook")).toBe(false);
    let error: unknown;
    try {
      registry.get("facebook");
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ProviderError);
    expect(error).toMatchObject({ code: "misconfigured", provider: "facebook" });
    expect(registry.get("x").id).toBe("x");
    expect(registry.get("x")).toBe(registry.get("x"));
  });

  it("with nothing configured, nothing is available and nothing crashes", () => {
    const registry = createProviderRegistry(defaultProvidersConfig());
    expect(registry.available()).toEqual([]);
    expect(registry.redirectUri("google")).toBe(
      "http://localhost:3000/api/accounts/google/callback",
    );
  });
});

describe("configuration from the environment", () => {
  it("outside development: only providers with an app; a base URL replaces every host", () => {
    const env = parseEnv(serverEnvSchema, {
      NODE_ENV: "test",
      OAUTH_REDIRECT_BASE_URL: "https://lifeline.example/api/accounts/",
      GOOGLE_CLIENT_ID: "g-id",
      GOOGLE_CLIENT_SECRET: "g-secret",
      X_CLIENT_ID: "x-id",
      X_CLIENT_SECRET: "x-secret",
      X_BASE_URL: "https://x-staging.example/",
    });
    const config = providersConfigFromEnv(env);
    const registry = createProviderRegistry(config);
    expect(registry.available()).toEqual(["x", "google"]);
    expect(config.google.urls.token).toBe("https://oauth2.googleapis.com");
    expect(Object.values(config.x.urls)).toEqual([
      "https://x-staging.example",
      "https://x-staging.example",
    ]);
    expect(registry.redirectUri("x")).toBe("https://lifeline.example/api/accounts/x/callback");
  });

  it("development: every provider without an app points at the stand-in with fake credentials", () => {
    const env = parseEnv(jobsEnvSchema, {
      NODE_ENV: "development",
      GOOGLE_CLIENT_ID: "g",
      GOOGLE_CLIENT_SECRET: "s",
    });
    expect(env.PROVIDER_STANDIN_URL).toBe("http://localhost:4010");
    const config = providersConfigFromEnv(env);
    expect(createProviderRegistry(config).available()).toEqual([
      "instagram",
      "x",
      "facebook",
      "google",
      "microsoft",
      "linkedin",
    ]);
    expect(config.instagram.credentials).toEqual({
      clientId: "standin-instagram-client",
      clientSecret: "standin-instagram-secret",
    });
    expect(Object.values(config.microsoft.urls)).toEqual([
      "http://localhost:4010/microsoft",
      "http://localhost:4010/microsoft",
    ]);
    expect(config.linkedin.memberPosts).toBe(true);
    // A real app wins over the stand-in.
    expect(config.google.credentials).toEqual({ clientId: "g", clientSecret: "s" });
    expect(config.google.urls.gmail).toBe("https://gmail.googleapis.com");
  });

  it("LINKEDIN_MEMBER_POSTS asks for r_member_social and switches post listing on", () => {
    const env = parseEnv(jobsEnvSchema, { NODE_ENV: "test", LINKEDIN_MEMBER_POSTS: "true" });
    const config = providersConfigFromEnv(env);
    expect(config.linkedin.memberPosts).toBe(true);
    expect(config.linkedin.scopes).toContain("r_member_social");
    expect(createProviderRegistry(config).available()).toEqual([]);
  });
});
