import { z } from "zod";

import { defineFragment } from "../compose";
import { port } from "../fields";

/** The stand-in server (apps/provider-standins): fake providers for development. */
export const providerStandinsEnv = defineFragment({
  shape: {
    PROVIDER_STANDIN_PORT: port.default(4010),
    /** Loopback by default: the stand-ins hand out tokens to anyone who asks. */
    PROVIDER_STANDIN_HOST: z.string().min(1).max(255).default("127.0.0.1"),
  },
});
