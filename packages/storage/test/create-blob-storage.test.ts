import path from "node:path";

import { findRepoRoot, jobsEnvSchema, parseEnv, serverEnvSchema } from "@lifeline/env";
import { describe, expect, it } from "vitest";

import { createBlobStorage } from "../src/index";

const SECRET = "s3-secret-that-must-never-be-logged";

function recordingLogger() {
  const lines: unknown[] = [];
  const record = (...args: unknown[]) => {
    lines.push(args);
  };
  return { logger: { info: record, warn: record }, text: () => JSON.stringify(lines) };
}

describe("storage settings", () => {
  it("default to local disk under media/", () => {
    const env = parseEnv(serverEnvSchema, {});
    expect(env.STORAGE_DRIVER).toBe("local");
    expect(env.MEDIA_DIR).toBe("media");
    expect(env.S3_REGION).toBe("us-east-1");
  });

  it("require the bucket and both keys with the s3 driver, for the server and the jobs app", () => {
    for (const schema of [serverEnvSchema, jobsEnvSchema]) {
      expect(() => parseEnv(schema, { STORAGE_DRIVER: "s3" })).toThrow(
        /S3_BUCKET: is required when STORAGE_DRIVER=s3[\s\S]*S3_ACCESS_KEY_ID[\s\S]*S3_SECRET_ACCESS_KEY/,
      );
    }
    expect(() => parseEnv(serverEnvSchema, { STORAGE_DRIVER: "ftp" })).toThrow(
      "STORAGE_DRIVER: must be local or s3",
    );
  });

  it("refuse an endpoint with credentials in it, or a bucket name S3 would refuse", () => {
    expect(() =>
      parseEnv(serverEnvSchema, { S3_ENDPOINT: `http://key:${SECRET}@minio:9000` }),
    ).toThrow(/S3_ENDPOINT: must not contain credentials/);
    expect(() => parseEnv(serverEnvSchema, { S3_BUCKET: "Media_Bucket" })).toThrow(/S3_BUCKET/);
  });

  it("never echo a secret in their errors", () => {
    let message = "";
    try {
      parseEnv(serverEnvSchema, { S3_SECRET_ACCESS_KEY: SECRET.repeat(20) });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain("S3_SECRET_ACCESS_KEY");
    expect(message).not.toContain(SECRET);
  });
});

describe("createBlobStorage", () => {
  it("builds the local driver on MEDIA_DIR, relative to the repository root", () => {
    const { logger, text } = recordingLogger();
    const storage = createBlobStorage(parseEnv(serverEnvSchema, {}), logger);
    expect(storage.driver).toBe("local");
    const root = findRepoRoot(import.meta.dirname) ?? "";
    expect(text()).toContain(JSON.stringify(path.join(root, "media")));
  });

  it("builds the s3 driver and logs where, never the keys", () => {
    const { logger, text } = recordingLogger();
    const env = parseEnv(jobsEnvSchema, {
      STORAGE_DRIVER: "s3",
      S3_ENDPOINT: "http://127.0.0.1:9000",
      S3_BUCKET: "lifeline-media",
      S3_ACCESS_KEY_ID: "access-key-id-value",
      S3_SECRET_ACCESS_KEY: SECRET,
    });
    const storage = createBlobStorage(env, logger);
    expect(storage.driver).toBe("s3");
    expect(text()).toContain("lifeline-media");
    expect(text()).toContain("http://127.0.0.1:9000");
    expect(text()).not.toContain(SECRET);
    expect(text()).not.toContain("access-key-id-value");
  });
});
