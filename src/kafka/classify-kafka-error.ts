import {
  AdgateError,
  DependencyUnavailableError,
  type ErrorReason,
  errorMessage,
} from '../errors/adgate-error.js';
import { kafkajs } from './kafkajs.js';

// kafkajs is CommonJS and spreads its error classes into its exports,
// which Node's ESM loader cannot see as named exports.
const {
  KafkaJSConnectionError,
  KafkaJSError,
  KafkaJSGroupCoordinatorNotFound,
  KafkaJSNonRetriableError,
  KafkaJSNumberOfRetriesExceeded,
  KafkaJSProtocolError,
  KafkaJSRequestTimeoutError,
  KafkaJSServerDoesNotSupportApiKey,
  KafkaJSTimeout,
} = kafkajs;

interface Verdict {
  readonly reason: ErrorReason;
  readonly retriable: boolean;
}

const UNAVAILABLE: Verdict = { reason: 'kafka_unavailable', retriable: true };
const REFUSED: Verdict = { reason: 'kafka_rejected', retriable: false };
const TOO_LARGE: Verdict = { reason: 'too_large', retriable: false };

/**
 * Broker error types (kafkajs src/protocol/error.js) whose verdict differs
 * from, or must not hang on, kafkajs's own `retriable` flag. The rest of the
 * protocol errors follow that flag: retriable ones (leader moved, not enough
 * replicas, request timed out...) mean "not now", the others "never".
 */
const PROTOCOL_VERDICTS: Readonly<Record<string, Verdict>> = {
  // The record (batch) is over the topic's max.message.bytes: the same
  // bytes are refused forever, so the caller must send something smaller.
  MESSAGE_TOO_LARGE: TOO_LARGE,
  RECORD_LIST_TOO_LARGE: TOO_LARGE,
  // kafkajs retries this one itself (metadata may lag a new topic); once
  // its retries are spent the topic is gone or misnamed: an operator's fix.
  UNKNOWN_TOPIC_OR_PARTITION: REFUSED,
  TOPIC_AUTHORIZATION_FAILED: REFUSED,
  GROUP_AUTHORIZATION_FAILED: REFUSED,
  CLUSTER_AUTHORIZATION_FAILED: REFUSED,
  TRANSACTIONAL_ID_AUTHORIZATION_FAILED: REFUSED,
  SASL_AUTHENTICATION_FAILED: REFUSED,
  INVALID_CONFIG: REFUSED,
  POLICY_VIOLATION: REFUSED,
  INVALID_REPLICATION_FACTOR: REFUSED,
  INVALID_PARTITIONS: REFUSED,
  INVALID_TOPIC_EXCEPTION: REFUSED,
  INVALID_RECORD: REFUSED,
  INVALID_REQUIRED_ACKS: REFUSED,
  UNSUPPORTED_VERSION: REFUSED,
};

/**
 * The one place a kafkajs failure becomes an AdgateError (STYLE: one
 * classifier per dependency), from the error's own facts: the broker's
 * error type where there is one, else the kafkajs class and its
 * `retriable` flag. kafkajs wraps the failure that ended its retries
 * (KafkaJSNumberOfRetriesExceeded, KafkaJSNonRetriableError) with the
 * original as `cause`, so the verdict is the original's.
 */
export function classifyKafkaError(error: unknown): AdgateError {
  if (error instanceof AdgateError) return error;
  const verdict = verdictOf(error);
  const message = `Kafka: ${errorMessage(error)}`;
  if (verdict.retriable) {
    return new DependencyUnavailableError('kafka_unavailable', message, error);
  }
  return new AdgateError(verdict.reason, message, { retriable: false, cause: error });
}

function verdictOf(error: unknown): Verdict {
  const original = unwrap(error);
  if (original instanceof KafkaJSProtocolError) {
    return PROTOCOL_VERDICTS[original.type] ?? (original.retriable ? UNAVAILABLE : REFUSED);
  }
  // The broker could not be reached or did not answer in time.
  if (original instanceof KafkaJSConnectionError) return UNAVAILABLE;
  if (original instanceof KafkaJSRequestTimeoutError) return UNAVAILABLE;
  // kafkajs marks these "non-retriable" because it will not retry them
  // itself, yet a lock wait that timed out or a coordinator still being
  // elected is "not now", not "never".
  if (original instanceof KafkaJSTimeout) return UNAVAILABLE;
  if (original instanceof KafkaJSGroupCoordinatorNotFound) return UNAVAILABLE;
  // A broker too old for a request kafkajs needs: no retry changes that.
  if (original instanceof KafkaJSServerDoesNotSupportApiKey) return REFUSED;
  // The rest say for themselves whether another try may help (metadata not
  // loaded yet may; a SASL authentication failure will not).
  if (original instanceof KafkaJSError) return original.retriable ? UNAVAILABLE : REFUSED;
  // Not from kafkajs at all (the producer's own errors are AdgateErrors
  // already): nothing says the data is at fault, so keep it and retry.
  return UNAVAILABLE;
}

/**
 * The failure inside kafkajs's retry wrappers. Only a wrapper's cause is
 * followed: a KafkaJSNumberOfRetriesExceeded of a connection error is still
 * "Kafka is away", which the caller retries on its own schedule.
 */
function unwrap(error: unknown): unknown {
  let current = error;
  for (let depth = 0; depth < 5; depth += 1) {
    const cause = wrapperCause(current);
    if (cause === undefined || cause === current) return current;
    current = cause;
  }
  return current;
}

function wrapperCause(error: unknown): unknown {
  if (error instanceof KafkaJSNumberOfRetriesExceeded) return error.cause;
  // The plain wrapper, not one of its subclasses (SASL, unsupported API...).
  if (error instanceof KafkaJSNonRetriableError && error.name === 'KafkaJSNonRetriableError') {
    return error.cause;
  }
  return undefined;
}
