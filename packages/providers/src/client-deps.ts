import type { Credentials } from "./config";
import type { ProviderHttp, ProviderLogger } from "./http/client";

/** What every provider client is built from (the registry builds them). */
export interface ClientDeps {
  http: ProviderHttp;
  credentials: Credentials;
  logger?: ProviderLogger;
}
