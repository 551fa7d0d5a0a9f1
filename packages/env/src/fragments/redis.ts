import { z } from "zod";

import { defineFragment } from "../compose";
import { redisUrl } from "../fields";

export const redisEnv = defineFragment({
  shape: {
    REDIS_URL: redisUrl.default("redis://127.0.0.1:6379"),
    /** Prefix for every Redis key this deployment writes; lets tests and tenants share a server. */
    REDIS_KEY_PREFIX: z.string().max(64).default("lifeline:"),
  },
});
