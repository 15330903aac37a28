import { AdgateError, DependencyUnavailableError, errorMessage } from '../errors/adgate-error.js';

/**
 * kafkajs failures that reach us (after kafkajs's own retries) all mean the
 * cluster could not take or give the data now: the caller keeps what it
 * holds and tries again later, never turning it into a dead letter.
 */
export function classifyKafkaError(error: unknown): AdgateError {
  if (error instanceof AdgateError) return error;
  return new DependencyUnavailableError(
    'kafka_unavailable',
    `Kafka: ${errorMessage(error)}`,
    error,
  );
}
