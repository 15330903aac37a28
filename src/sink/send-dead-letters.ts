import { AdgateError } from '../errors/adgate-error.js';
import { type RetryOptions, retryWithBackoff } from '../errors/retry-with-backoff.js';
import { classifyKafkaError } from '../kafka/classify-kafka-error.js';
import { recordBytes } from '../kafka/record-size.js';
import type { OutboundMessage, Producer } from '../kafka/types.js';
import type { Logger } from '../telemetry/logger.js';
import type { Metrics } from '../telemetry/metrics.js';
import { type DeadLetter, fitDeadLetter, toDeadLetterRecord } from './dead-letter.js';

export interface DeadLetterDeps {
  readonly producer: Producer;
  readonly metrics: Metrics;
  readonly log: Logger;
  readonly dlqTopic: string;
  readonly deadTopic: string;
  readonly dlqMaxAttempts: number;
  readonly produceTimeoutMs: number;
}

/** The deps and the caller's retry policy while Kafka is away. */
interface Sending extends DeadLetterDeps {
  readonly retry: RetryOptions;
}

interface OutgoingLetter {
  readonly topic: string;
  readonly reason: DeadLetter['reason'];
  /** The record of SPEC §4, whole. */
  readonly whole: OutboundMessage;
  /** What is sent: the whole record, or one cut to fit the topic. */
  record: OutboundMessage;
  cut: boolean;
}

/**
 * Sends dead letters and waits for Kafka's acknowledgement, retrying while
 * Kafka is away. A letter larger than its topic accepts is cut to fit
 * before it is sent, and again if the topic still refuses it, so that it
 * never holds back its partition (SPEC §4).
 */
export async function sendDeadLetters(
  letters: readonly DeadLetter[],
  deps: DeadLetterDeps,
  retry: RetryOptions,
): Promise<void> {
  if (letters.length === 0) return;
  const now = Date.now();
  const outgoing: OutgoingLetter[] = [];
  for (const letter of letters) {
    const { record, attempts } = toDeadLetterRecord(letter, now);
    const topic = attempts >= deps.dlqMaxAttempts ? deps.deadTopic : deps.dlqTopic;
    const fitted = fitDeadLetter(record, deps.producer.maxRecordBytes(topic) ?? Infinity);
    outgoing.push({ topic, reason: letter.reason, whole: record, ...fitted });
    deps.metrics.dlqMessages.add(1, {
      reason: letter.reason,
      topic: topic === deps.dlqTopic ? 'dlq' : 'dead',
    });
    deps.log.info('dead letter', {
      reason: letter.reason,
      error: letter.error,
      partition: letter.message.partition,
      offset: String(letter.message.offset),
      attempts,
    });
  }
  for (const topic of [deps.dlqTopic, deps.deadTopic]) {
    const batch = outgoing.filter((l) => l.topic === topic);
    if (batch.length > 0) await sendToTopic(topic, batch, { ...deps, retry });
  }
  for (const letter of outgoing) {
    if (!letter.cut) continue;
    deps.metrics.dlqTruncated.add(1, { reason: letter.reason });
    deps.log.warn('dead letter sent cut: its topic does not accept it whole', {
      reason: 'too_large',
      letterReason: letter.reason,
      topic: letter.topic,
      wholeBytes: recordBytes(letter.whole),
      sentBytes: recordBytes(letter.record),
      maxRecordBytes: deps.producer.maxRecordBytes(letter.topic),
    });
  }
}

/** Sends together; on a size refusal, each letter alone, so only the guilty one is cut. */
async function sendToTopic(
  topic: string,
  letters: readonly OutgoingLetter[],
  deps: Sending,
): Promise<void> {
  try {
    await produceRetrying(topic, letters, deps);
  } catch (error) {
    if (!isTooLarge(error)) throw error;
    if (letters.length === 1)
      await sendCutSmaller(topic, letters[0] as OutgoingLetter, deps, error);
    else for (const letter of letters) await sendToTopic(topic, [letter], deps);
  }
}

/**
 * A letter its topic refused alone: cut to the topic's limit as read again
 * after the refusal, or to half its size when that limit says it fits
 * (the limit changed again, or a broker counts differently), until it is
 * accepted. One that cannot get smaller (a topic limit below adgate's own
 * headers) waits for the operator, retried with backoff and logged, rather
 * than be dropped.
 */
async function sendCutSmaller(
  topic: string,
  letter: OutgoingLetter,
  deps: Sending,
  refusal: AdgateError,
): Promise<void> {
  let error = refusal;
  for (;;) {
    const size = recordBytes(letter.record);
    const known = deps.producer.maxRecordBytes(topic);
    const budget = known !== undefined && known < size ? known : Math.floor(size / 2);
    const smaller = fitDeadLetter(letter.whole, budget).record;
    if (recordBytes(smaller) >= size) {
      const stuck = new AdgateError(
        'too_large',
        `${topic} refuses even the smallest cut of a dead letter (${size} bytes): raise its max.message.bytes`,
        { retriable: true, cause: error },
      );
      await retryWithBackoff(
        () =>
          produceRetrying(topic, [letter], deps).catch((e: unknown) => {
            throw isTooLarge(e) ? stuck : e;
          }),
        classifyKafkaError,
        deps.retry,
      );
      return;
    }
    letter.record = smaller;
    letter.cut = true;
    try {
      await produceRetrying(topic, [letter], deps);
      return;
    } catch (next) {
      if (!isTooLarge(next)) throw next;
      error = next;
    }
  }
}

function produceRetrying(
  topic: string,
  letters: readonly OutgoingLetter[],
  deps: Sending,
): Promise<void> {
  const records = letters.map((l) => l.record);
  return retryWithBackoff(
    () => deps.producer.send(topic, records, deps.produceTimeoutMs),
    classifyDeadLetterSendError,
    deps.retry,
  );
}

/**
 * The DLQ is the last stop: a letter Kafka refuses for a reason other than
 * its size (authorization, a deleted topic) waits for the operator, counted
 * in adgate_errors by reason and logged, rather than be dropped. Only a
 * size refusal is final here: the caller cuts the letter and sends again.
 */
function classifyDeadLetterSendError(raw: unknown): AdgateError {
  const error = classifyKafkaError(raw);
  if (error.retriable || error.reason === 'too_large') return error;
  return new AdgateError(error.reason, error.message, { retriable: true, cause: error });
}

function isTooLarge(error: unknown): error is AdgateError {
  return error instanceof AdgateError && error.reason === 'too_large' && !error.retriable;
}
