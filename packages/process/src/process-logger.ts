import { resolveFromRepoRoot } from "@lifeline/env";
import { createLogger, type Logger } from "@lifeline/logger";

export interface ProcessLoggingEnv {
  NODE_ENV: "development" | "test" | "production";
  LOG_LEVEL: "fatal" | "error" | "warn" | "info" | "debug" | "trace" | "silent";
  LOG_DIR: string;
}

/**
 * The logger of a long-running process (server, jobs): files under LOG_DIR, resolved from
 * the repository root because turbo starts each app in its own folder, and a pretty console
 * in development (turbo pipes output, so there is no TTY to detect, but a person reads it).
 */
export function createProcessLogger(name: string, env: ProcessLoggingEnv): Logger {
  return createLogger({
    name,
    level: env.LOG_LEVEL,
    logDir: resolveFromRepoRoot(env.LOG_DIR),
    pretty: env.NODE_ENV === "development",
  });
}
