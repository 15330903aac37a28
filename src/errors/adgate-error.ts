/**
 * One base error for the whole gateway. The `reason` is a short stable
 * token that reaches the log line, the metric label and the DLQ
 * `adgate-reason` header alike (SPEC §4), so an operator can follow one
 * failure through all three without matching message text.
 */
export type ErrorReason =
  | 'config_invalid'
  | 'unparsable'
  | 'invalid'
  | 'write_failed'
  | 'kafka_unavailable'
  | 'postgres_unavailable'
  | 'redis_unavailable'
  | 'migration_failed'
  | 'drain_timeout'
  // Failures of the instance (SPEC §7): the lifecycle moves to `failed`.
  | 'kafka_consumer_crashed'
  | 'sink_stalled'
  | 'sink_start_failed'
  | 'recorded_offset_beyond_end';

export class AdgateError extends Error {
  readonly reason: ErrorReason;
  /** True when the same operation may succeed if tried again later. */
  readonly retriable: boolean;

  constructor(
    reason: ErrorReason,
    message: string,
    options: { retriable: boolean; cause?: unknown },
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.reason = reason;
    this.retriable = options.retriable;
  }
}

/** A server the pipeline depends on did not answer: keep the batch, back off, try again. */
export class DependencyUnavailableError extends AdgateError {
  constructor(
    reason: 'kafka_unavailable' | 'postgres_unavailable' | 'redis_unavailable',
    message: string,
    cause?: unknown,
  ) {
    super(reason, message, { retriable: true, cause });
  }
}

/** PostgreSQL refused the data itself: retrying the same rows cannot help. */
export class WriteRejectedError extends AdgateError {
  constructor(message: string, cause?: unknown) {
    super('write_failed', message, { retriable: false, cause });
  }
}

export class ConfigError extends AdgateError {
  constructor(message: string) {
    super('config_invalid', message, { retriable: false });
  }
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
