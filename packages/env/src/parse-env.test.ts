import { describe, expect, it } from "vitest";

import { EnvError, parseEnv, serverEnvSchema } from "./index";

describe("parseEnv(serverEnvSchema)", () => {
  it("gives working development defaults for an empty environment", () => {
    const env = parseEnv(serverEnvSchema, {});
    expect(env.PORT).toBe(3000);
    expect(env.BCRYPT_COST).toBe(12);
    expect(env.DATABASE_URL).toMatch(/^postgresql:\/\//);
    expect(env.CORS_ORIGINS).toEqual(["http://localhost:5173"]);
    expect(env.TRUST_PROXY).toBe(false);
  });

  it("treats empty strings as unset", () => {
    expect(parseEnv(serverEnvSchema, { PORT: "" }).PORT).toBe(3000);
  });

  it("coerces and splits values", () => {
    const env = parseEnv(serverEnvSchema, {
      PORT: "8080",
      TRUST_PROXY: "true",
      CORS_ORIGINS: "https://a.example, https://b.example",
    });
    expect(env.PORT).toBe(8080);
    expect(env.TRUST_PROXY).toBe(true);
    expect(env.CORS_ORIGINS).toEqual(["https://a.example", "https://b.example"]);
  });

  it("names every invalid variable in one error", () => {
    let error: unknown;
    try {
      parseEnv(serverEnvSchema, {
        PORT: "not-a-port",
        DATABASE_URL: "mysql://x",
        BCRYPT_COST: "99",
        TRUST_PROXY: "maybe",
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(EnvError);
    const problems = (error as EnvError).problems.join("\n");
    for (const name of ["PORT", "DATABASE_URL", "BCRYPT_COST", "TRUST_PROXY"]) {
      expect(problems).toContain(name);
    }
    expect((error as EnvError).message).toContain("Invalid environment");
  });

  it("requires signing keys in production", () => {
    expect(() => parseEnv(serverEnvSchema, { NODE_ENV: "production" })).toThrow(/JWT_SIGNING_KEYS/);
  });
});

describe("cross-variable rules", () => {
  it("are reported together with the other problems", () => {
    expect(() => parseEnv(serverEnvSchema, { NODE_ENV: "production", PORT: "x" })).toThrow(
      /PORT[\s\S]*JWT_SIGNING_KEYS|JWT_SIGNING_KEYS[\s\S]*PORT/,
    );
  });

  it("refuse an idle lifetime longer than the absolute one", () => {
    expect(() =>
      parseEnv(serverEnvSchema, { REFRESH_IDLE_TTL: "100", REFRESH_ABSOLUTE_TTL: "50" }),
    ).toThrow(/REFRESH_IDLE_TTL: must not exceed REFRESH_ABSOLUTE_TTL/);
  });
});

describe("messages a person can act on", () => {
  it("say what a number must be", () => {
    expect(() => parseEnv(serverEnvSchema, { PORT: "abc" })).toThrow(
      "PORT: must be a whole number from 0 to 65535",
    );
    expect(() => parseEnv(serverEnvSchema, { PORT: "70000" })).toThrow(/from 0 to 65535/);
    expect(() => parseEnv(serverEnvSchema, { RATE_LIMIT_AUTH_MAX: "0" })).toThrow(
      "RATE_LIMIT_AUTH_MAX: must be a whole number of at least 1",
    );
    expect(() => parseEnv(serverEnvSchema, { PORT: "80.5" })).toThrow(/PORT: must be a whole/);
  });

  it("require the refresh-token secret in production, and a long one", () => {
    expect(() => parseEnv(serverEnvSchema, { NODE_ENV: "production" })).toThrow(
      /TOKEN_SECRET: is required in production/,
    );
    expect(() => parseEnv(serverEnvSchema, { TOKEN_SECRET: "short" })).toThrow(
      /TOKEN_SECRET: must be at least 32 characters/,
    );
  });
});

describe("environment-specific defaults", () => {
  const production = {
    NODE_ENV: "production",
    JWT_SIGNING_KEYS: "[]",
    TOKEN_SECRET: "s".repeat(32),
    TOKEN_ENCRYPTION_KEYS: `k1:${Buffer.alloc(32).toString("base64")}`,
  };

  it("keep the roadmap's limits in production and test", () => {
    for (const env of [production, { NODE_ENV: "test" }]) {
      const parsed = parseEnv(serverEnvSchema, env);
      expect(parsed.RATE_LIMIT_AUTH_MAX).toBe(5);
      expect(parsed.RATE_LIMIT_GLOBAL_MAX).toBe(100);
      expect(parsed.LOGIN_LOCKOUT_THRESHOLD).toBe(5);
    }
  });

  it("are looser in development, and an explicit value still wins", () => {
    expect(parseEnv(serverEnvSchema, {}).RATE_LIMIT_AUTH_MAX).toBeGreaterThan(5);
    expect(parseEnv(serverEnvSchema, { NODE_ENV: "development" }).RATE_LIMIT_GLOBAL_MAX).toBe(5000);
    expect(parseEnv(serverEnvSchema, { RATE_LIMIT_AUTH_MAX: "7" }).RATE_LIMIT_AUTH_MAX).toBe(7);
  });
});
