export {
  createLogger,
  silentLogger,
  type Logger,
  type LoggerOptions,
  type RequestLogger,
} from "./create-logger";
export { REDACTED, redactSecrets } from "./redaction";
