export { installCrashHandlers } from "./crash-handlers";
export {
  installGracefulShutdown,
  type ShutdownOptions,
  type ShutdownStep,
} from "./graceful-shutdown";
export { createProcessLogger, type ProcessLoggingEnv } from "./process-logger";
