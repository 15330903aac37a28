import { createRequire } from 'node:module';
import { isSpanContextValid, TraceFlags, trace } from '@opentelemetry/api';
import { type DestinationStream, type Logger as PinoLogger, pino } from 'pino';
import type pretty from 'pino-pretty';
import { toLoggable } from './to-loggable.js';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
/** json: one object per line; pretty: pino-pretty; unset: pretty on a terminal only. */
export type LogFormat = 'json' | 'pretty';

export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  child(fields: LogFields): Logger;
}

/**
 * The gateway's logs, from pino: one JSON object per line on stdout (what
 * container runtimes and log shippers expect), `level` as its name, `time`
 * in ISO 8601, `msg`; or pino-pretty's form for a person at a terminal.
 * Fields are made safe first (to-loggable.ts): errors with their stack,
 * `reason` and cause, BigInt as text, circular references cut, secrets
 * redacted, so that the same `reason` token shows in the log, the metric
 * label and the DLQ header.
 * Lines written inside a sampled span carry its trace_id and span_id.
 *
 * `write`, when given, receives each line (tests); otherwise stdout,
 * written synchronously so that nothing is lost when the process exits
 * right after a line (a drain past its deadline).
 */
export function createLogger(
  level: LogLevel,
  base: LogFields = {},
  write?: (line: string) => void,
  format?: LogFormat,
): Logger {
  const root = pino(
    {
      level,
      base: null, // no pid or hostname: the platform adds where a line came from
      messageKey: 'msg',
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      mixin: traceFields,
    },
    chooseDestination(write, format),
  );
  return wrap(root, toLoggable(base));
}

function chooseDestination(
  write: ((line: string) => void) | undefined,
  format: LogFormat | undefined,
): DestinationStream {
  if (write !== undefined) return { write };
  const wantPretty = format === 'pretty' || (format === undefined && process.stdout.isTTY === true);
  if (wantPretty) {
    // Loaded only here: a process that writes JSON lines (stdout not a
    // terminal: containers, log shippers) never carries pino-pretty's 30 modules.
    const prettyStream = createRequire(import.meta.url)('pino-pretty') as typeof pretty;
    return prettyStream({
      sync: true,
      colorize: process.stdout.isTTY === true,
      translateTime: 'SYS:HH:MM:ss.l',
    });
  }
  return pino.destination({ dest: 1, sync: true });
}

/**
 * Bindings (base and child fields) are merged into each line rather than
 * given to pino's child(), and `msg` goes first: the lines keep the order
 * the earlier logger wrote (level, time, msg, bindings, fields), on which
 * log queries and tests that match `"msg":"…","state":"…"` rely. pino
 * would otherwise write bindings before msg and msg last.
 */
function wrap(logger: PinoLogger, bindings: LogFields): Logger {
  const emit =
    (lvl: LogLevel) =>
    (msg: string, fields?: LogFields): void => {
      if (!logger.isLevelEnabled(lvl)) return;
      logger[lvl]({ msg, ...bindings, ...(fields === undefined ? {} : toLoggable(fields)) });
    };
  return {
    debug: emit('debug'),
    info: emit('info'),
    warn: emit('warn'),
    error: emit('error'),
    child: (fields) => wrap(logger, { ...bindings, ...toLoggable(fields) }),
  };
}

/** trace_id and span_id of the active span when it is sampled (tracing on, and kept). */
function traceFields(): LogFields {
  const context = trace.getActiveSpan()?.spanContext();
  if (context === undefined || !isSpanContextValid(context)) return {};
  if ((context.traceFlags & TraceFlags.SAMPLED) === 0) return {};
  return { trace_id: context.traceId, span_id: context.spanId };
}

/** The process's logger as the configuration asks: ADGATE_LOG_LEVEL and ADGATE_LOG_FORMAT. */
export function createConfiguredLogger(config: {
  readonly ADGATE_LOG_LEVEL: LogLevel;
  readonly ADGATE_LOG_FORMAT?: LogFormat;
}): Logger {
  return createLogger(config.ADGATE_LOG_LEVEL, {}, undefined, config.ADGATE_LOG_FORMAT);
}

/**
 * The logger, or one whose warnings become debug lines: for a worker that
 * does not speak for its instance, so that a start warning appears once.
 */
export function quietUnless(reports: boolean, log: Logger): Logger {
  return reports ? log : { ...log, warn: (msg, fields) => log.debug(msg, fields) };
}
