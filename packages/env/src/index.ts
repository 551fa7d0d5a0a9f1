export { EnvError, parseEnv } from "./parse-env";
export { loadDotEnv } from "./load-dotenv";
export { serverEnvSchema, type ServerEnv } from "./server-env";
export { databaseEnvSchema, type DatabaseEnv } from "./database-env";
