import type pg from 'pg';
import type { Config } from './config/load-config.js';
import { createRedisDedupStore, type DedupStore } from './dedup/redis-dedup-store.js';
import { createDlqPart } from './dlq/create-dlq-part.js';
import type { DlqConsumer } from './dlq/dlq-consumer.js';
import { AdgateError, errorMessage } from './errors/adgate-error.js';
import { createApp } from './ingress-http/create-app.js';
import { closeHttpServer, startHttpServer } from './ingress-http/start-http-server.js';
import {
  createBatchConsumer,
  createKafka,
  createProducer,
  ensureTopics,
} from './kafka/kafka-client.js';
import type { Producer } from './kafka/types.js';
import { type DrainReport, type DrainStep, runDrainSteps } from './lifecycle/drain-gateway.js';
import { LIFECYCLE_STATES, Lifecycle } from './lifecycle/lifecycle-state.js';
import { createSink, type Sink } from './sink/sink.js';
import { createPool } from './store/create-pool.js';
import { migrate } from './store/migrate.js';
import type { Logger } from './telemetry/logger.js';
import { createMetrics, type Metrics } from './telemetry/metrics.js';
import { startTracing } from './telemetry/start-tracing.js';

export interface Gateway {
  readonly lifecycle: Lifecycle;
  readonly metrics: Metrics;
  /** The bound HTTP port (useful when ADGATE_HTTP_PORT=0). */
  readonly port: number;
  /** Drains in the order of SPEC §7. Idempotent: a second call shares the first. */
  drain(): Promise<DrainReport>;
  /** Gives up waiting on servers (a forced stop). */
  abandon(): void;
}

/**
 * Wires the pipeline: HTTP ingress → Kafka → sink (dedup, COPY) →
 * PostgreSQL, per the roles in ADGATE_ROLES, and starts it. A start that
 * fails midway closes what it had opened (Redis, the pool, timers) before
 * it throws, so that the process can exit without waiting on them.
 */
export async function startGateway(
  config: Config,
  log: Logger,
  onDrainRequested: () => void = () => undefined,
  onFatal: (error: unknown) => void = () => undefined,
): Promise<Gateway> {
  const lifecycle = new Lifecycle();
  const metrics = createMetrics();
  // What has been opened so far, closed in reverse if the start fails.
  const opened: DrainStep[] = [{ name: 'metrics: stop', run: () => metrics.shutdown() }];
  try {
    return await startParts(config, log, { lifecycle, metrics, opened, onDrainRequested, onFatal });
  } catch (error) {
    await runDrainSteps(opened.reverse(), log);
    throw error;
  }
}

interface StartContext {
  readonly lifecycle: Lifecycle;
  readonly metrics: Metrics;
  readonly opened: DrainStep[];
  readonly onDrainRequested: () => void;
  readonly onFatal: (error: unknown) => void;
}

async function startParts(config: Config, log: Logger, ctx: StartContext): Promise<Gateway> {
  const { lifecycle, metrics, opened } = ctx;
  const tracing = await startTracing(config.ADGATE_OTLP_TRACES_URL, log);
  opened.push({ name: 'tracing: flush spans', run: () => tracing.shutdown() });
  lifecycle.onChange((state) => {
    for (const s of LIFECYCLE_STATES) metrics.setLifecycleState(s === state ? 1 : 0, { state: s });
    log.info('lifecycle', { state });
  });
  const roles = new Set(config.ADGATE_ROLES);
  if (config.usingDevelopmentKey) {
    log.warn('ADGATE_API_KEYS is unset: using the development key "dev-key" (never in production)');
  }

  const { pool, kafka, producer } = await openDependencies(config, log, opened);

  let sink: Sink | undefined;
  let dlq: DlqConsumer | undefined;
  const fail = failOnce(lifecycle, metrics, log, (error) => {
    // Draining follows, and the batch in hand is what could not progress:
    // retries give up instead of holding the drain to its deadline.
    sink?.abandon();
    dlq?.abandon();
    ctx.onFatal(error);
  });
  let dedup: DedupStore | undefined;
  if (roles.has('sink')) {
    ({ sink, dedup } = createSinkPart(config, {
      kafka,
      pool,
      producer,
      metrics,
      log,
      onFailure: fail,
    }));
    const store = dedup;
    opened.push({ name: 'redis: close', run: () => store.close() });
  }

  if (roles.has('dlq'))
    dlq = createDlqPart(config, { kafka, producer, metrics, log, onFailure: fail });

  const app = createApp({
    config,
    producer: roles.has('ingress') ? producer : undefined,
    pool,
    lifecycle,
    metrics,
    log: log.child({ component: 'http' }),
    requestDrain: ctx.onDrainRequested,
  });
  const { server, port } = await listen(app.fetch, config, metrics);

  // The ingress is ready as soon as it can take requests; it does not wait
  // for the sink to join its group, which can take a session timeout when
  // a crashed member is still registered.
  lifecycle.moveTo('ready');
  log.info('adgate ready', { port, roles: [...roles] });
  sink?.start().catch((error: unknown) => fail(startFailure(error)));
  dlq?.start().catch((error: unknown) => fail(startFailure(error, 'dlq_start_failed')));

  return {
    lifecycle,
    metrics,
    port,
    abandon: () => {
      sink?.abandon();
      dlq?.abandon();
    },
    drain: drainOnce(
      [
        {
          name: 'http: stop accepting, finish requests in flight',
          run: () => closeHttpServer(server),
        },
        {
          name: 'sink: stop fetching, flush batch in hand, commit, leave group',
          run: async () => sink?.stop(),
        },
        {
          name: 'dlq: hand over waiting letters, commit, leave group',
          run: async () => dlq?.stop(),
        },
        { name: 'producer: flush and close', run: () => producer.close() },
        { name: 'redis: close', run: async () => dedup?.close() },
        { name: 'postgres: end pool', run: () => pool.end() },
        { name: 'tracing: flush spans', run: () => tracing.shutdown() },
      ],
      { lifecycle, metrics, log },
    ),
  };
}

/**
 * Migrations, the pool, the Kafka client, its topics and the producer, each
 * pushed on `opened` as soon as it exists so that a failed start closes it.
 */
async function openDependencies(config: Config, log: Logger, opened: DrainStep[]) {
  if (config.ADGATE_MIGRATE_ON_START) {
    const result = await migrate(config.ADGATE_DATABASE_URL, log);
    log.info('migrations', {
      applied: result.applied.length,
      alreadyApplied: result.alreadyApplied,
    });
  }
  const pool: pg.Pool = createPool(config.ADGATE_DATABASE_URL, config.ADGATE_DB_POOL_SIZE, log);
  opened.push({ name: 'postgres: end pool', run: () => pool.end() });
  const kafka = createKafka(
    { clientId: config.ADGATE_KAFKA_CLIENT_ID, brokers: config.ADGATE_KAFKA_BROKERS },
    log,
  );
  const topicLimits = await ensureTopics(
    kafka,
    {
      ingest: config.ADGATE_TOPIC,
      deadLetters: [config.ADGATE_DLQ_TOPIC, config.ADGATE_DEAD_TOPIC],
      partitions: config.ADGATE_TOPIC_PARTITIONS,
      replication: config.ADGATE_TOPIC_REPLICATION,
    },
    log.child({ component: 'topics' }),
  );
  // Knowing the topics' limits up front lets a dead letter be cut to fit
  // before it is sent, not after the broker refused it (SPEC §4).
  const producer: Producer = createProducer(kafka, log.child({ component: 'producer' }), {
    topicLimits,
  });
  opened.push({ name: 'producer: flush and close', run: () => producer.close() });

  return { pool, kafka, producer };
}

/**
 * The drain of SPEC §7, run once: a second call shares the first. Its
 * report is ok only when the instance ends `stopped`; after a failure the
 * drain still runs what it can, and the state stays `failed`.
 */
function drainOnce(
  steps: readonly DrainStep[],
  { lifecycle, metrics, log }: { lifecycle: Lifecycle; metrics: Metrics; log: Logger },
): () => Promise<DrainReport> {
  let draining: Promise<DrainReport> | undefined;
  return () => {
    draining ??= (async () => {
      lifecycle.moveTo('draining'); // refused when failed
      const report = await runDrainSteps(steps, log);
      metrics.setLastDrainSeconds(report.totalMs / 1000);
      lifecycle.moveTo(report.ok ? 'stopped' : 'failed');
      log.info('drain finished', {
        ok: report.ok,
        totalMs: report.totalMs,
        state: lifecycle.state,
      });
      await metrics.shutdown();
      return { ...report, ok: report.ok && lifecycle.state === 'stopped' };
    })();
    return draining;
  };
}

/**
 * The instance can no longer do its work (SPEC §7): the lifecycle moves to
 * `failed` (/readyz and /healthz answer 503), the failure is logged and
 * counted once with its reason, and `then` starts the drain that ends in a
 * non-zero exit. Later reports of the same or another cause add nothing.
 */
function failOnce(
  lifecycle: Lifecycle,
  metrics: Metrics,
  log: Logger,
  then: (error: AdgateError) => void,
): (error: AdgateError) => void {
  return (error) => {
    if (lifecycle.failed || lifecycle.state === 'stopped') return;
    lifecycle.moveTo('failed');
    metrics.failures.add(1, { reason: error.reason });
    log.error('adgate failed: draining what it can, then exiting non-zero', {
      reason: error.reason,
      error,
    });
    then(error);
  };
}

/** Why the sink could not start, as the reason of the instance's failure. */
function startFailure(
  error: unknown,
  reason: 'sink_start_failed' | 'dlq_start_failed' = 'sink_start_failed',
): AdgateError {
  if (error instanceof AdgateError && !error.retriable) return error;
  const part = reason === 'sink_start_failed' ? 'sink' : 'DLQ consumer';
  return new AdgateError(reason, `the ${part} could not start: ${errorMessage(error)}`, {
    retriable: false,
    cause: error,
  });
}

interface SinkPartDeps {
  readonly kafka: ReturnType<typeof createKafka>;
  readonly pool: pg.Pool;
  readonly producer: Producer;
  readonly metrics: Metrics;
  readonly log: Logger;
  readonly onFailure: (error: AdgateError) => void;
}

function createSinkPart(config: Config, deps: SinkPartDeps): { sink: Sink; dedup: DedupStore } {
  const { kafka, metrics, log } = deps;
  const dedup = createRedisDedupStore(
    {
      url: config.ADGATE_REDIS_URL,
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
      dedupWindowMs: config.ADGATE_DEDUP_WINDOW_MS,
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
      onFailure: deps.onFailure,
    },
  );
  return { sink, dedup };
}

/** Binds the HTTP listener with the timeouts of SPEC §3; rejects when the port cannot be taken. */
function listen(
  fetch: (request: Request) => Response | Promise<Response>,
  config: Config,
  metrics: Metrics,
) {
  return startHttpServer(
    fetch,
    {
      host: config.ADGATE_HTTP_HOST,
      port: config.ADGATE_HTTP_PORT,
      headersTimeoutMs: config.ADGATE_HTTP_HEADERS_TIMEOUT_MS,
      requestTimeoutMs: config.ADGATE_HTTP_REQUEST_TIMEOUT_MS,
      keepAliveTimeoutMs: config.ADGATE_HTTP_KEEP_ALIVE_TIMEOUT_MS,
      maxConnections: config.ADGATE_HTTP_MAX_CONNECTIONS,
    },
    {
      onClientFault: (fault) => metrics.httpClientFaults.add(1, { fault }),
      onConnectionDropped: () => metrics.httpConnectionsDropped.add(1),
    },
  );
}
