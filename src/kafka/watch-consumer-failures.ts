import type { Consumer as KafkaJsConsumer } from 'kafkajs';
import { AdgateError, errorMessage } from '../errors/adgate-error.js';
import type { Logger } from '../telemetry/logger.js';

export interface ConsumerFailures {
  /** What the batch handler threw, seen before kafkajs wraps it. */
  thrown(error: unknown): void;
  onFailure(listener: (error: AdgateError) => void): void;
}

/**
 * kafkajs restarts a crashed consumer only when the error's innermost
 * cause says `retriable: true` (or its retries ran out); any other error
 * thrown from eachBatch (a TypeError, an AdgateError with retriable:
 * false, a non-retriable group error) leaves the consumer disconnected for
 * good, with CRASH { restart: false } its only trace. That is a failure of
 * the instance (SPEC §7), not a log line: the listeners hear of it.
 */
export function watchConsumerFailures(consumer: KafkaJsConsumer, log: Logger): ConsumerFailures {
  const listeners: ((error: AdgateError) => void)[] = [];
  // What the handler last threw that kafkajs will not retry. kafkajs keeps
  // only the innermost cause (KafkaJSNonRetriableError's cause is
  // `e.cause || e`), which loses the AdgateError and its reason when that
  // error has a cause of its own (a pg error).
  let handlerFailure: AdgateError | undefined;
  consumer.on(consumer.events.CRASH, (event) => {
    const { error, restart } = event.payload;
    if (restart) {
      log.warn('Kafka consumer crashed; kafkajs restarts it', { error });
      return;
    }
    const failure = handlerFailure ?? consumerFailure(error);
    handlerFailure = undefined;
    for (const listener of listeners) listener(failure);
  });
  return {
    thrown(error: unknown) {
      if (error instanceof AdgateError && !error.retriable) handlerFailure = error;
    },
    onFailure(listener: (error: AdgateError) => void) {
      listeners.push(listener);
    },
  };
}

/**
 * The error that stopped a consumer for good: the outermost AdgateError in
 * its cause chain (kafkajs wraps what eachBatch threw in
 * KafkaJSNonRetriableError), so that its reason names the real cause;
 * anything else is 'kafka_consumer_crashed'.
 */
export function consumerFailure(error: unknown): AdgateError {
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 10; depth += 1) {
    if (e instanceof AdgateError) return e;
    e = e.cause;
  }
  return new AdgateError(
    'kafka_consumer_crashed',
    `the Kafka consumer stopped for good: ${errorMessage(error)}`,
    { retriable: false, cause: error },
  );
}
