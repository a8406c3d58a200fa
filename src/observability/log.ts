/**
 * A deliberately small structured logger: one JSON object a line on stdout/stderr.
 *
 * Callers pass fields, never preformatted strings with values, so that what reaches a log line is
 * always a choice made at the call site. Nothing here redacts: secrets and access tokens are never
 * handed to a logger in the first place (tests capture the sink and check that).
 *
 * A line written while an HTTP request is handled carries that request's id (`requestId`), so an
 * administrator given the id from an error page finds every line that explains it.
 */
import { currentRequestId } from './request-id.js';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  child(fields: LogFields): Logger;
}

export type LogSink = (line: string, level: LogLevel) => void;

const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

const consoleSink: LogSink = (line, level) => {
  (level === 'error' || level === 'warn' ? process.stderr : process.stdout).write(`${line}\n`);
};

export function createLogger(options: { level?: LogLevel; sink?: LogSink; fields?: LogFields } = {}): Logger {
  const minimum = ORDER[options.level ?? (process.env.LOG_LEVEL as LogLevel | undefined) ?? 'info'] ?? ORDER.info;
  const sink = options.sink ?? consoleSink;
  const base = options.fields ?? {};
  const write = (level: LogLevel, message: string, fields?: LogFields) => {
    if (ORDER[level] < minimum) return;
    const requestId = currentRequestId();
    const line = { time: new Date().toISOString(), level, msg: message, ...(requestId ? { requestId } : {}), ...base, ...fields };
    sink(JSON.stringify(line), level);
  };
  return {
    debug: (message, fields) => write('debug', message, fields),
    info: (message, fields) => write('info', message, fields),
    warn: (message, fields) => write('warn', message, fields),
    error: (message, fields) => write('error', message, fields),
    child: (fields) => createLogger({ ...options, fields: { ...base, ...fields } }),
  };
}

/** A logger that keeps its lines in memory, for tests that assert on what was (not) logged. */
export function createMemoryLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  return Object.assign(createLogger({ level: 'debug', sink: (line) => lines.push(line) }), { lines });
}
