import type { Kafka } from 'kafkajs';
import { DependencyUnavailableError } from '../errors/adgate-error.js';
import type { Logger } from '../telemetry/logger.js';
import { classifyKafkaError } from './classify-kafka-error.js';
import type { TopicLimits } from './ensure-topics.js';
import { createProducerConnection, type ProducerConnection } from './producer-connection.js';
import { createSendQueue, type PendingSend, type SendQueue } from './send-queue.js';
import { settleWithin } from './settle-within.js';
import { createTopicLimitBook, type TopicLimitBook } from './topic-limits.js';
import type { Producer } from './types.js';

export interface ProducerOptions {
  /** Each topic's max.message.bytes (from ensureTopics): no request exceeds them. */
  readonly topicLimits?: TopicLimits;
  /** Each produce request's round trip to the brokers' acknowledgement (a metric). */
  readonly onRequest?: (seconds: number, outcome: 'ok' | 'failed') => void;
}

/**
 * The idempotent producer (acks from all in-sync replicas), with exactly
 * one request in flight. kafkajs's idempotent producer loses or misorders
 * messages when several send() calls overlap (tulios/kafkajs#1005, #598),
 * so concurrent callers are queued here (send-queue.ts) and coalesced into
 * one sendBatch: this is also what makes many small HTTP requests cheap. A
 * request never holds more of one topic than that topic accepts in one
 * record batch, and a record the broker still refuses for its size fails
 * only its own send (SPEC §4: one message never holds back the others).
 */
export function createProducer(kafka: Kafka, log: Logger, options: ProducerOptions = {}): Producer {
  const connection = createProducerConnection(kafka, log);
  const limits = createTopicLimitBook(kafka, log, options.topicLimits);
  const queue = createSendQueue(limits.batchRoom);
  const pump = createPump(queue, connection, limits, log, options.onRequest);
  let pumping: Promise<void> | undefined;
  let closing: Promise<void> | undefined;

  return {
    maxRecordBytes: (topic) => limits.maxRecordBytes(topic),
    send(topic, messages, timeoutMs) {
      if (closing !== undefined) {
        return Promise.reject(
          new DependencyUnavailableError('kafka_unavailable', 'the producer is closing'),
        );
      }
      let acks: Promise<void>[];
      try {
        acks = queue.enqueue(topic, messages);
      } catch (error) {
        return Promise.reject(error);
      }
      pumping ??= pump().finally(() => {
        pumping = undefined;
      });
      return settleWithin(acks, timeoutMs);
    },
    close() {
      closing ??= (async () => {
        await pumping;
        await connection.disconnect();
      })();
      return closing;
    },
  };
}

/** Sends the queue's requests one at a time until it is empty. */
function createPump(
  queue: SendQueue,
  connection: ProducerConnection,
  limits: TopicLimitBook,
  log: Logger,
  onRequest: ProducerOptions['onRequest'],
): () => Promise<void> {
  return async () => {
    while (!queue.isEmpty) {
      const taken = queue.take();
      const started = performance.now();
      try {
        await connection.sendRequest(taken);
        onRequest?.((performance.now() - started) / 1000, 'ok');
        for (const send of taken) send.settle();
      } catch (error) {
        onRequest?.((performance.now() - started) / 1000, 'failed');
        await settleFailedRequest(taken, error, { queue, connection, limits, log });
      }
    }
  };
}

/**
 * A request that failed: its sends fail with the classified error, except
 * after a size refusal of several sends. Which send was too large the
 * broker does not say: each goes again in a request of its own, so that
 * only that one fails.
 */
async function settleFailedRequest(
  taken: readonly PendingSend[],
  error: unknown,
  parts: {
    queue: SendQueue;
    connection: ProducerConnection;
    limits: TopicLimitBook;
    log: Logger;
  },
): Promise<void> {
  const failure = classifyKafkaError(error);
  parts.log.warn('Kafka produce failed', { reason: failure.reason, error });
  if (failure.reason !== 'too_large') {
    for (const send of taken) send.settle(failure);
    return;
  }
  await recoverFromSizeRefusal(parts.connection, parts.limits, [
    ...new Set(taken.map((s) => s.topic)),
  ]);
  if (taken.length === 1) taken[0]?.settle(failure);
  else parts.queue.requeueAlone(taken);
}

/**
 * After a size refusal. The broker wrote the other partitions of the
 * request, but kafkajs took every partition's sequence numbers back, so
 * the next batch to those partitions would be refused as out of order
 * (OUT_OF_ORDER_SEQUENCE_NUMBER, for ever). A new producer gets a new
 * producer id and starts its sequences afresh; the price is that the
 * sends resent after it may land twice, which the idempotency key makes
 * harmless downstream (SPEC §2). The limits are read again, since
 * knowing them did not prevent the refusal.
 */
async function recoverFromSizeRefusal(
  connection: ProducerConnection,
  limits: TopicLimitBook,
  topics: readonly string[],
): Promise<void> {
  await connection.renew();
  await limits.reread(topics);
}
