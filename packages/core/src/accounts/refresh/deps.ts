import type { Db } from "@lifeline/db";
import type { RequestLogger } from "@lifeline/logger";
import type { ProviderRegistry } from "@lifeline/providers";
import type { JobProducer } from "@lifeline/queue";

import type { TokenCipher } from "../../crypto/token-cipher";
import type { AccountLocks } from "./account-lock";
import type { RefreshPolicy } from "./policy";

/** What refreshing a linked account needs; the jobs app and the API build it once. */
export interface RefreshDeps {
  db: Db;
  /** The provider clients (createProviderRegistry from the environment). */
  providers: Pick<ProviderRegistry, "get">;
  /** TOKEN_ENCRYPTION_KEYS. */
  cipher: TokenCipher;
  /** The per-account lock, on the deployment's Redis (createAccountLocks). */
  locks: AccountLocks;
  /** The reconnect and expiry emails are jobs of the jobs app. */
  jobs: Pick<JobProducer, "enqueue">;
  /** The request's logger in the API; the process's in the jobs app. */
  logger: RequestLogger;
  now?: () => Date;
  /** Defaults to DEFAULT_REFRESH_POLICY. */
  policy?: Partial<RefreshPolicy>;
}

/** Who asked: the 6-hourly sweep, the owner (accounts.refresh), or a provider call (imports). */
export type RefreshTrigger = "schedule" | "manual" | "on_demand";
