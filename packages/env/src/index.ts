export { EnvError, parseEnv } from "./parse-env";
export { serverEnvSchema, type ServerEnv } from "./server-env";
export { databaseEnvSchema, type DatabaseEnv } from "./database-env";
