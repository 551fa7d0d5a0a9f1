import { z } from "zod";

import { defineFragment } from "../compose";

export const loggingEnv = defineFragment({
  shape: {
    LOG_LEVEL: z
      .enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"])
      .default("info"),
    /** Relative paths are taken from the repository root (see resolveFromRepoRoot). */
    LOG_DIR: z.string().min(1).default("logs"),
  },
});
