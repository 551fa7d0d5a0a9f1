// What the global setup hands to every test file through `inject()`.
import type {} from "vitest";

declare module "vitest" {
  export interface ProvidedContext {
    /** A migrated database that exists only for this test run. */
    databaseUrl: string;
    redisUrl: string;
    /** Every Redis key this run writes starts with it; teardown deletes them. */
    redisKeyPrefix: string;
  }
}
