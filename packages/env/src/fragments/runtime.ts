import { z } from "zod";

import { defineFragment } from "../compose";

export const runtimeEnv = defineFragment({
  shape: {
    NODE_ENV: z.enum(["development", "test", "production"]).default("development"),
  },
});
