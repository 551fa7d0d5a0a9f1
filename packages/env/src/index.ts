export { EnvError, parseEnv } from "./parse-env";
export { loadDotEnv } from "./load-dotenv";
export { loadEnvOrExit } from "./load-env-or-exit";
export { findRepoRoot, resolveFromRepoRoot } from "./repo-root";
export { composeEnv, defineFragment, type EnvFragment, type EnvRules } from "./compose";
export { serverEnvSchema, type ServerEnv } from "./server-env";
export { databaseEnvSchema, type DatabaseEnv } from "./database-env";
export { jobsEnvSchema, type JobsEnv } from "./jobs-env";
export { providerStandinsEnvSchema, type ProviderStandinsEnv } from "./provider-standins-env";
