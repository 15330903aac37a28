/**
 * Why an event is refused, at either ingress (SPEC §1, §3, §4): the same
 * verdict becomes a rejection by index over HTTP and a dead letter in the
 * sink.
 */
export type RejectionReason = 'unparsable' | 'invalid' | 'too_large';

/**
 * One base error for the whole gateway. The `reason` is a short stable
 * token that reaches the log line, the metric label and the DLQ
 * `adgate-reason` header alike (SPEC §4), so an operator can follow one
 * failure through all three without matching message text.
 */
export type ErrorReason =
  | 'config_invalid'
  | RejectionReason
  | 'write_failed'
  | 'kafka_unavailable'
  | 'postgres_unavailable'
  | 'redis_unavailable'
  | 'postgres_rejected'
  | 'redis_rejected'
  | 'kafka_rejected'
  | 'client_closed_request'
  | 'migration_failed'
  | 'drain_timeout'
  // Failures of the instance (SPEC §7): the lifecycle moves to `failed`.
  | 'kafka_consumer_crashed'
  | 'sink_stalled'
  | 'sink_start_failed'
  | 'recorded_offset_beyond_end'
  // A worker process died, or another process of the instance failed (src/workers/).
  | 'worker_exited'
  | 'worker_failed'
  // The DLQ consumer and the dlq/offsets commands (src/dlq/).
  | 'dlq_consumer_crashed'
  | 'dlq_start_failed'
  | 'group_has_members'
  | 'rewind_refused';

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

/**
 * A server the pipeline depends on refused the operation for a reason that
 * is neither the rows' fault nor passing: a missing table, a revoked
 * privilege, a wrong password, a database that does not exist. Retrying
 * would wedge the pipeline and dead-lettering the rows would lose healthy
 * events, so the error propagates and the component stops for good until an
 * operator fixes the server and restarts it.
 */
export class DependencyRejectedError extends AdgateError {
  constructor(
    reason: 'postgres_rejected' | 'redis_rejected' | 'kafka_rejected',
    message: string,
    cause?: unknown,
  ) {
    super(reason, message, { retriable: false, cause });
  }
}

/**
 * The client closed the connection before its request was read whole:
 * nobody is waiting for an answer and nothing on our side failed, so it is
 * neither a 5xx nor a log line that pages anyone (nginx's 499).
 */
export class ClientClosedRequestError extends AdgateError {
  constructor(cause?: unknown) {
    super('client_closed_request', 'the client closed the connection mid-request', {
      retriable: false,
      cause,
    });
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
