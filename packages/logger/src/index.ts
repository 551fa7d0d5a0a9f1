export { createLogger, silentLogger, type Logger, type LoggerOptions } from "./create-logger";
export { REDACTED, redactPaths } from "./redaction";
