import { describe, expect, it } from "vitest";

import {
  bullPrefix,
  DEFAULT_JOB_OPTIONS,
  heartbeatKey,
  JobPayloadError,
  JOBS,
  parsePayload,
  QUEUE_NAMES,
  SCHEDULES,
  sendEmailJob,
  slotJobId,
} from "../src/index";

describe("parsePayload", () => {
  it("returns the parsed payload of a valid job", () => {
    const userId = "0b6d3f9e-3a52-4c1e-9a4f-5b8f3a1d2c7e";
    expect(parsePayload(sendEmailJob, { template: "verify-email", userId })).toEqual({
      template: "verify-email",
      userId,
    });
  });

  it("throws JobPayloadError naming the job and every bad field, never the values", () => {
    const secret = "not-an-email-but-secret-ish";
    let caught: unknown;
    try {
      parsePayload(sendEmailJob, { template: "password-reset", email: secret, extra: 1 });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(JobPayloadError);
    const error = caught as JobPayloadError;
    expect(error.job).toBe("email.send");
    expect(error.issues).toEqual([expect.stringMatching(/^email: /)]);
    expect(error.message).not.toContain(secret);
  });

  it("names the payload itself when it is not an object", () => {
    expect(() => parsePayload(sendEmailJob, "hello")).toThrow(/\(payload\)/);
  });
});

describe("job definitions and keys", () => {
  it("every job runs on a known queue, under a unique name", () => {
    for (const job of JOBS) expect(QUEUE_NAMES).toContain(job.queue);
    expect(new Set(JOBS.map((j) => j.name)).size).toBe(JOBS.length);
  });

  it("every schedule enqueues a known job with a payload its schema accepts", () => {
    expect(new Set(SCHEDULES.map((s) => s.name)).size).toBe(SCHEDULES.length);
    for (const schedule of SCHEDULES) {
      expect(JOBS).toContain(schedule.job);
      expect(() => parsePayload(schedule.job, schedule.payload)).not.toThrow();
    }
  });

  it("slot job ids are stable per schedule and slot, and hold no ':' (BullMQ refuses it)", () => {
    const slot = new Date("2031-01-01T03:15:00Z");
    const id = slotJobId({ name: "purge-expired" }, slot);
    expect(id).toBe(slotJobId({ name: "purge-expired" }, new Date(slot)));
    expect(id).not.toBe(slotJobId({ name: "purge-expired" }, new Date(slot.getTime() + 60_000)));
    expect(id).not.toBe(slotJobId({ name: "audit-retention" }, slot));
    expect(id).not.toContain(":");
  });

  it("keys live under the deployment's prefix", () => {
    expect(bullPrefix("lifeline:")).toBe("lifeline:bull");
    expect(heartbeatKey("lifeline:", "host-1")).toBe("lifeline:jobs:heartbeat:host-1");
  });

  it("jobs are retried with backoff and kept long enough to inspect", () => {
    expect(DEFAULT_JOB_OPTIONS.attempts).toBeGreaterThan(1);
    expect(DEFAULT_JOB_OPTIONS.backoff).toMatchObject({ type: "exponential" });
    expect(DEFAULT_JOB_OPTIONS.removeOnFail).toEqual({ age: 30 * 24 * 3600 });
  });
});
