import type { Config } from '../config/load-config.js';
import type { AdgateError } from '../errors/adgate-error.js';
import type { Producer } from '../kafka/types.js';
import type { Logger } from '../telemetry/logger.js';
import type { Metrics } from '../telemetry/metrics.js';
import { createDlqConsumer, type DlqConsumer } from './dlq-consumer.js';
import { createLetterConsumer } from './kafka-letter-consumer.js';

/** The DLQ consumer's group: its own, so that it never shares the sink's offsets. */
export function dlqGroupId(config: Config): string {
  return `${config.ADGATE_CONSUMER_GROUP}.dlq`;
}

export interface DlqPartDeps {
  /** The kafkajs client, opaque here (kafka-letter-consumer.ts is the Kafka side). */
  readonly kafka: Parameters<typeof createLetterConsumer>[0];
  readonly producer: Producer;
  readonly metrics: Metrics;
  readonly log: Logger;
  readonly onFailure: (error: AdgateError) => void;
}

/** The `dlq` role of `adgate serve` (ADGATE_ROLES), wired from the configuration. */
export function createDlqPart(config: Config, deps: DlqPartDeps): DlqConsumer {
  const log = deps.log.child({ component: 'dlq' });
  const consumer = createLetterConsumer(
    deps.kafka,
    {
      groupId: dlqGroupId(config),
      topic: config.ADGATE_DLQ_TOPIC,
      sessionTimeoutMs: config.ADGATE_KAFKA_SESSION_TIMEOUT_MS,
    },
    log,
  );
  return createDlqConsumer(
    {
      topic: config.ADGATE_TOPIC,
      dlqTopic: config.ADGATE_DLQ_TOPIC,
      deadTopic: config.ADGATE_DEAD_TOPIC,
      maxAttempts: config.ADGATE_DLQ_MAX_ATTEMPTS,
      baseBackoffMs: config.ADGATE_DLQ_BACKOFF_MS,
      maxBackoffMs: config.ADGATE_DLQ_MAX_BACKOFF_MS,
      maxWaiting: config.ADGATE_DLQ_MAX_WAITING,
      depthEveryMs: 5_000,
      produceTimeoutMs: config.ADGATE_PRODUCE_TIMEOUT_MS,
      sendBackoffMs: config.ADGATE_RETRY_MAX_BACKOFF_MS,
    },
    { consumer, producer: deps.producer, metrics: deps.metrics, log, onFailure: deps.onFailure },
  );
}
