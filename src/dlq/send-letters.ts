import { AdgateError } from '../errors/adgate-error.js';
import { retryWithBackoff } from '../errors/retry-with-backoff.js';
import { classifyKafkaError } from '../kafka/classify-kafka-error.js';
import type { InboundMessage, OutboundMessage, Producer } from '../kafka/types.js';
import { fitDeadLetter } from '../sink/dead-letter.js';
import type { Logger } from '../telemetry/logger.js';
import type { LetterFacts } from './judge-letter.js';
import { deadRecord, retryRecord } from './letter-records.js';

export interface LetterSendDeps {
  readonly producer: Producer;
  readonly log: Logger;
  readonly topic: string;
  readonly deadTopic: string;
  readonly produceTimeoutMs: number;
  readonly maxBackoffMs: number;
  /** False after a forced stop: sends give up instead of waiting for Kafka. */
  readonly shouldContinue: () => boolean;
  readonly onRetry: (error: AdgateError) => void;
}

/** Sends one record, waiting out Kafka's absences; rejects with a non-retriable refusal. */
export function sendOne(
  topic: string,
  record: OutboundMessage,
  deps: LetterSendDeps,
): Promise<void> {
  return retryWithBackoff(
    () => deps.producer.send(topic, [record], deps.produceTimeoutMs),
    classifyKafkaError,
    {
      maxDelayMs: deps.maxBackoffMs,
      shouldContinue: deps.shouldContinue,
      onRetry: (error) => deps.onRetry(error),
    },
  );
}

/**
 * Moves a letter to the dead topic, cut to fit it (SPEC §4). The dead
 * topic is the last stop: a refusal other than size is waited out like an
 * absence (logged and counted by the caller's onRetry), never dropped.
 */
export async function moveToDead(
  message: InboundMessage,
  why: string | undefined,
  deps: LetterSendDeps,
): Promise<void> {
  const whole = deadRecord(message, why);
  const fitted = fitDeadLetter(whole, deps.producer.maxRecordBytes(deps.deadTopic) ?? Infinity);
  await retryWithBackoff(
    () => sendOne(deps.deadTopic, fitted.record, deps),
    (error) => {
      const classified = classifyKafkaError(error);
      return classified.retriable ? classified : asRetriable(classified);
    },
    {
      maxDelayMs: deps.maxBackoffMs,
      shouldContinue: deps.shouldContinue,
      onRetry: (error) => deps.onRetry(error),
    },
  );
}

function asRetriable(error: AdgateError): AdgateError {
  return new AdgateError(error.reason, error.message, { retriable: true, cause: error });
}

/**
 * Sends a letter back to the ingest topic. One that Kafka refuses for good
 * (too large for the ingest topic, a refused record) cannot be retried,
 * ever: it goes to the dead topic with why, so that it never holds back
 * its DLQ partition.
 */
export async function redrive(
  message: InboundMessage,
  facts: LetterFacts,
  deps: LetterSendDeps,
): Promise<'retried' | 'dead'> {
  try {
    await sendOne(deps.topic, retryRecord(message, facts.attempts), deps);
    return 'retried';
  } catch (raw) {
    const error = classifyKafkaError(raw);
    if (error.retriable) throw error;
    deps.log.warn('a letter could not be re-sent; moving it to the dead topic', {
      reason: error.reason,
      error: error.message,
      partition: message.partition,
      offset: String(message.offset),
    });
    await moveToDead(message, `could not be re-sent: ${error.reason}`, deps);
    return 'dead';
  }
}
