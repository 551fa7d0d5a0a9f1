import { z } from "zod";

import { defineFragment } from "../compose";
import { booleanFlag, csv, port, positiveInt, wholeNumber } from "../fields";

export const httpEnv = defineFragment({
  shape: {
    HOST: z.string().min(1).default("0.0.0.0"),
    PORT: port.default(3000),
    CORS_ORIGINS: csv.default(["http://localhost:5173"]),
    TRUST_PROXY: booleanFlag.default(false),
    BODY_LIMIT_BYTES: positiveInt.default(1024 * 1024),
    /** Calls one tRPC batch request may carry; more is a 400. */
    TRPC_MAX_BATCH_SIZE: wholeNumber(1, 100).default(10),
  },
});
