import { mkdirSync } from "node:fs";
import path from "node:path";

import { pino, type Logger, type LevelWithSilent, type StreamEntry } from "pino";
import pretty from "pino-pretty";

import { redactSecrets, secretSerializers } from "./redaction";

export type { Logger } from "pino";

/** What request-scoped code logs through: satisfied by pino and by Fastify's `req.log`. */
export type RequestLogger = Pick<Logger, "fatal" | "error" | "warn" | "info" | "debug" | "trace">;

export interface LoggerOptions {
  name: string;
  level: LevelWithSilent;
  /** Directory for error.log and combined.log; omit to log to the console only. */
  logDir?: string;
  /** Human-readable console output (development on a terminal). JSON lines otherwise. */
  pretty?: boolean;
  /** Console output on/off (tests keep files but silence the console). */
  console?: boolean;
}

/**
 * The one logger factory: JSON lines to combined.log (everything at `level`) and error.log
 * (errors only), and to the console, pretty on a developer's terminal. Secrets are redacted.
 */
export function createLogger(options: LoggerOptions): Logger {
  const streams: StreamEntry[] = [];
  if (options.console ?? true) {
    streams.push({
      level: "trace",
      stream: options.pretty
        ? pretty({ colorize: true, sync: true })
        : pino.destination({ fd: 1, sync: false }),
    });
  }
  if (options.logDir) {
    mkdirSync(options.logDir, { recursive: true });
    const file = (name: string, sync: boolean) =>
      pino.destination({ dest: path.join(options.logDir ?? ".", name), mkdir: true, sync });
    streams.push({ level: "trace", stream: file("combined.log", false) });
    // Written synchronously: errors are few, and the line that explains a crash must be on
    // disk before the process exits.
    streams.push({ level: "error", stream: file("error.log", true) });
  }
  return pino(
    {
      name: options.name,
      level: options.level,
      timestamp: pino.stdTimeFunctions.isoTime,
      // Only errors get a serializer (pino's default); request objects are never logged whole.
      serializers: { err: pino.stdSerializers.err, ...secretSerializers },
      formatters: {
        level: (label) => ({ level: label }),
        // Every logged object passes through here; bindings go through the serializers.
        log: (object) => redactSecrets(object),
      },
    },
    pino.multistream(
      streams.length ? streams : [{ level: "trace", stream: pino.destination("/dev/null") }],
    ),
  );
}

/** A logger that writes nowhere, for tests and tools that want none. */
export function silentLogger(): Logger {
  return pino({ level: "silent" });
}
