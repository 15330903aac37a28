import type pg from 'pg';
import type { Config } from './config/load-config.js';
import { createRedisDedupStore } from './dedup/redis-dedup-store.js';
import type { AdgateError } from './errors/adgate-error.js';
import { createBatchConsumer } from './kafka/create-batch-consumer.js';
import type { createKafka } from './kafka/create-kafka.js';
import type { Producer } from './kafka/types.js';
import type { DedupStore } from './sink/dedup-store.js';
import { createSink, type Sink } from './sink/sink.js';
import type { Logger } from './telemetry/logger.js';
import type { Metrics } from './telemetry/metrics.js';

// The sink's wiring, in a module of its own so that a process without the
// sink role (an HTTP worker) never loads it: ioredis, the consumer, the
// COPY path (create-gateway.ts imports it only for that role).

export interface SinkPartDeps {
  readonly kafka: ReturnType<typeof createKafka>;
  readonly pool: pg.Pool;
  readonly producer: Producer;
  readonly metrics: Metrics;
  readonly log: Logger;
  readonly knownDays: Set<string>;
  readonly onFailure: (error: AdgateError) => void;
}

export function createSinkPart(
  config: Config,
  deps: SinkPartDeps,
): { sink: Sink; dedup: DedupStore } {
  const { kafka, metrics, log } = deps;
  const dedup = createRedisDedupStore(
    {
      url: config.ADGATE_REDIS_URL,
      tlsCa: config.ADGATE_REDIS_TLS_CA_FILE?.pem,
      prefix: config.ADGATE_REDIS_KEY_PREFIX,
      buckets: config.ADGATE_DEDUP_REDIS_BUCKETS,
      windowMs: config.ADGATE_DEDUP_REDIS_WINDOW_MS ?? config.ADGATE_DEDUP_WINDOW_MS,
    },
    log.child({ component: 'dedup' }),
    {
      onDegradedChange: (degraded) => metrics.setDedupDegraded(degraded ? 1 : 0),
      onBucketFill: (largest, compactLimit) => {
        metrics.setDedupBucketMaxKeys(largest);
        metrics.setDedupBucketCompactLimit(compactLimit);
      },
    },
  );
  metrics.setDedupDegraded(0);
  const consumer = createBatchConsumer(
    kafka,
    {
      groupId: config.ADGATE_CONSUMER_GROUP,
      topic: config.ADGATE_TOPIC,
      concurrency: config.ADGATE_TOPIC_PARTITIONS,
      maxWaitMs: Math.min(config.ADGATE_BATCH_MAX_AGE_MS, 500),
      sessionTimeoutMs: config.ADGATE_KAFKA_SESSION_TIMEOUT_MS,
      // Frequent heartbeats make members notice a rebalance sooner, which
      // is most of what a deploy's rebalance costs in lag.
      heartbeatIntervalMs: Math.min(1_000, Math.floor(config.ADGATE_KAFKA_SESSION_TIMEOUT_MS / 3)),
    },
    log.child({ component: 'consumer' }),
  );
  const sink = createSink(
    {
      groupId: config.ADGATE_CONSUMER_GROUP,
      topic: config.ADGATE_TOPIC,
      dlqTopic: config.ADGATE_DLQ_TOPIC,
      deadTopic: config.ADGATE_DEAD_TOPIC,
      dlqMaxAttempts: config.ADGATE_DLQ_MAX_ATTEMPTS,
      window: { pastMs: config.ADGATE_ACCEPT_PAST_MS, futureMs: config.ADGATE_ACCEPT_FUTURE_MS },
      maxEventBytes: config.ADGATE_MAX_EVENT_BYTES,
      batchMaxEvents: config.ADGATE_BATCH_MAX_EVENTS,
      batchMaxAgeMs: config.ADGATE_BATCH_MAX_AGE_MS,
      maxBackoffMs: config.ADGATE_RETRY_MAX_BACKOFF_MS,
      produceTimeoutMs: config.ADGATE_PRODUCE_TIMEOUT_MS,
      stallMs: config.ADGATE_SINK_STALL_MS,
    },
    {
      consumer,
      pool: deps.pool,
      dedup,
      producer: deps.producer,
      metrics,
      log: log.child({ component: 'sink' }),
      knownDays: deps.knownDays,
      onFailure: deps.onFailure,
    },
  );
  return { sink, dedup };
}
