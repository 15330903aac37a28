import type pg from 'pg';
import type { Config } from './config/load-config.js';
import type { SinkPartDeps } from './create-sink-part.js';
import { AdgateError, errorMessage } from './errors/adgate-error.js';
import { startMetricsPort } from './ingress-http/start-metrics-port.js';
import { createKafka } from './kafka/create-kafka.js';
import { createProducer } from './kafka/create-producer.js';
import { ensureTopics } from './kafka/ensure-topics.js';
import { kafkaSettingsFrom } from './kafka/kafka-settings.js';
import type { Producer } from './kafka/types.js';
import {
  type DrainReport,
  type DrainStep,
  drainOnce,
  gatewayDrainSteps,
  runDrainSteps,
} from './lifecycle/drain-gateway.js';
import { type Fail, failOnce } from './lifecycle/fail-once.js';
import { Lifecycle } from './lifecycle/lifecycle-state.js';
import { reportLifecycle } from './lifecycle/report-lifecycle.js';
import { scheduleMaintenance } from './lifecycle/schedule-maintenance.js';
import { createPool } from './store/create-pool.js';
import { migrate } from './store/migrate.js';
import { type Logger, quietUnless } from './telemetry/logger.js';
import { createMetrics, type Metrics } from './telemetry/metrics.js';
import { startTracing } from './telemetry/start-tracing.js';

export interface Gateway {
  readonly lifecycle: Lifecycle;
  readonly metrics: Metrics;
  /** The bound HTTP port (useful when ADGATE_HTTP_PORT=0); undefined without a listener. */
  readonly port: number | undefined;
  /** Fails the instance from outside (src/workers/: another process failed). */
  readonly fail: Fail;
  /** Drains in the order of SPEC §7. Idempotent: a second call shares the first. */
  drain(): Promise<DrainReport>;
  /** Gives up waiting on servers (a forced stop). */
  abandon(): void;
}

/** How a worker process (src/workers/) runs its part of an instance. */
export interface GatewayOptions {
  /** Whether this process serves HTTP; a sink worker does not. Default true. */
  readonly listen?: boolean;
  /** GET /metrics: the instance's whole exposition, not only this process's. */
  readonly renderMetrics?: () => Promise<string>;
  /** Whether this process gives the instance's start warnings (one worker does). Default true. */
  readonly reportsForInstance?: boolean;
  /** Whether this process serves ADGATE_METRICS_PORT (the supervisor does for its workers). Default true. */
  readonly servesMetricsPort?: boolean;
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
  options: GatewayOptions = {},
): Promise<Gateway> {
  const lifecycle = new Lifecycle();
  const metrics = createMetrics();
  // What has been opened so far, closed in reverse if the start fails.
  const opened: DrainStep[] = [{ name: 'metrics: stop', run: () => metrics.shutdown() }];
  try {
    const ctx = { lifecycle, metrics, opened, onDrainRequested, onFatal, options };
    return await startParts(config, log, ctx);
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
  readonly options: GatewayOptions;
}

async function startParts(config: Config, log: Logger, ctx: StartContext): Promise<Gateway> {
  const { lifecycle, metrics, opened } = ctx;
  const tracing = await startObserving(config, log, ctx);
  const roles = new Set(config.ADGATE_ROLES);
  const parts = await importParts(roles, ctx.options.listen !== false);
  const { pool, kafka, producer } = await openDependencies(config, log, ctx);
  const knownDays = new Set<string>();
  const maintenance = startMaintenance(config, { pool, knownDays, log, opened });

  // What a failure must make give up its retries, so that the drain that
  // follows is not held to its deadline by the work that could not progress.
  const abandonOnFailure: { abandon(): void }[] = [];
  const { sink, dedup, fail } = wireSink(config, parts.sink, {
    abandonOnFailure,
    kafka,
    pool,
    producer,
    metrics,
    log,
    knownDays,
    lifecycle,
    opened,
    onFatal: ctx.onFatal,
  });

  const dlq = parts.dlq?.createDlqPart(config, { kafka, producer, metrics, log, onFailure: fail });
  if (dlq !== undefined) abandonOnFailure.push(dlq);
  const http = await parts.http?.startHttpPart(
    config,
    { ...ctx, renderMetrics: ctx.options.renderMetrics },
    { kafka, producer: roles.has('ingress') ? producer : undefined, pool, log },
  );

  // The ingress is ready as soon as it can take requests; it does not wait
  // for the sink to join its group, which can take a session timeout when
  // a crashed member is still registered.
  lifecycle.moveTo('ready');
  log.info('adgate ready', { port: http?.port, roles: [...roles] });
  // The sink starts once the first maintenance pass is done, so that its
  // first flushes find their day partitions made.
  maintenance.firstPass
    .then(() => sink?.start())
    .catch((error: unknown) => fail(startFailure(error)));
  dlq?.start().catch((error: unknown) => fail(startFailure(error, 'dlq_start_failed')));

  return {
    lifecycle,
    metrics,
    port: http?.port,
    fail,
    abandon: () => {
      for (const part of abandonOnFailure) part.abandon();
    },
    drain: drainOnce(
      gatewayDrainSteps({
        stopMaintenance: () => maintenance.stop(),
        closeHttp: async () => http?.close(),
        stopSink: async () => sink?.stop(),
        stopDlq: async () => dlq?.stop(),
        closeIngestLog: async () => http?.ingestLog.close(),
        closeProducer: () => producer.close(),
        closeRedis: async () => dedup?.close(),
        endPool: () => pool.end(),
        flushTracing: () => tracing.shutdown(),
      }),
      { lifecycle, metrics, log },
    ),
  };
}

/**
 * The modules of the parts this process runs, and only those: what a
 * process loads stays resident for its life, and an HTTP worker has no use
 * for ioredis and the sink, nor a sink worker for hono and the routes.
 * Loaded before anything is opened, so that no start step waits on them.
 */
async function importParts(roles: ReadonlySet<string>, listens: boolean) {
  const [sink, dlq, http] = await Promise.all([
    roles.has('sink') ? import('./create-sink-part.js') : undefined,
    roles.has('dlq') ? import('./dlq/create-dlq-part.js') : undefined,
    listens ? import('./start-http-part.js') : undefined,
  ]);
  return { sink, dlq, http };
}

/** Tracing, the lifecycle's gauges and log lines, the metrics port, the development key's warning. */
async function startObserving(config: Config, log: Logger, ctx: StartContext) {
  const tracing = await startTracing(config.ADGATE_OTLP_TRACES_URL, log);
  ctx.opened.push({ name: 'tracing: flush spans', run: () => tracing.shutdown() });
  const { lifecycle, metrics } = ctx;
  reportLifecycle(lifecycle, metrics, log, config.ADGATE_DRAIN_TIMEOUT_MS);
  if (ctx.options.servesMetricsPort !== false) {
    const renderMetrics = () => metrics.render();
    const port = await startMetricsPort(config, { lifecycle, metrics, renderMetrics });
    if (port !== undefined) log.info('metrics port open', { port });
  }
  if (config.usingDevelopmentKey && ctx.options.reportsForInstance !== false) {
    log.warn('ADGATE_API_KEYS is unset: using the development key "dev-key" (never in production)');
  }
  return tracing;
}

/** Store maintenance in every role, so that an ingress-only fleet still prunes event_keys. */
function startMaintenance(
  config: Config,
  deps: { pool: pg.Pool; knownDays: Set<string>; log: Logger; opened: DrainStep[] },
) {
  const maintenance = scheduleMaintenance(
    { acceptPastMs: config.ADGATE_ACCEPT_PAST_MS, dedupWindowMs: config.ADGATE_DEDUP_WINDOW_MS },
    {
      pool: deps.pool,
      knownDays: deps.knownDays,
      log: deps.log.child({ component: 'maintenance' }),
    },
  );
  deps.opened.push({ name: 'maintenance: stop', run: () => maintenance.stop() });
  return maintenance;
}

/**
 * Migrations, the pool, the Kafka client, its topics and the producer, each
 * pushed on `opened` as soon as it exists so that a failed start closes it.
 */
async function openDependencies(config: Config, log: Logger, ctx: StartContext) {
  const { opened, metrics } = ctx;
  if (config.ADGATE_MIGRATE_ON_START) {
    const result = await migrate(config.ADGATE_DATABASE_URL, log);
    log.info('migrations', {
      applied: result.applied.length,
      alreadyApplied: result.alreadyApplied,
    });
  }
  const pool: pg.Pool = createPool(config.ADGATE_DATABASE_URL, config.ADGATE_DB_POOL_SIZE, log);
  opened.push({ name: 'postgres: end pool', run: () => pool.end() });
  const kafka = createKafka(kafkaSettingsFrom(config), log);
  const topicLimits = await ensureTopics(
    kafka,
    {
      ingest: config.ADGATE_TOPIC,
      deadLetters: [config.ADGATE_DLQ_TOPIC, config.ADGATE_DEAD_TOPIC],
      partitions: config.ADGATE_TOPIC_PARTITIONS,
      replication: config.ADGATE_TOPIC_REPLICATION,
    },
    quietUnless(ctx.options.reportsForInstance !== false, log.child({ component: 'topics' })),
  );
  // Knowing the topics' limits up front lets a dead letter be cut to fit
  // before it is sent, not after the broker refused it (SPEC §4).
  const producer: Producer = createProducer(kafka, log.child({ component: 'producer' }), {
    topicLimits,
    onRequest: (seconds, outcome) => metrics.kafkaProduceSeconds.record(seconds, { outcome }),
  });
  opened.push({ name: 'producer: flush and close', run: () => producer.close() });

  return { pool, kafka, producer };
}

interface SinkWiring extends Omit<SinkPartDeps, 'onFailure'> {
  readonly abandonOnFailure: { abandon(): void }[];
  readonly lifecycle: Lifecycle;
  readonly opened: DrainStep[];
  readonly onFatal: (error: unknown) => void;
}

/**
 * The instance's failure handling (lifecycle/fail-once.ts), and the sink
 * when the roles include it, its Redis on `opened` so that a failed start
 * closes it.
 */
function wireSink(
  config: Config,
  part: typeof import('./create-sink-part.js') | undefined,
  deps: SinkWiring,
) {
  const fail = failOnce(deps.lifecycle, deps.metrics, deps.log, (error) => {
    // Draining follows, and the batch in hand is what could not progress:
    // retries give up instead of holding the drain to its deadline.
    for (const part of deps.abandonOnFailure) part.abandon();
    deps.onFatal(error);
  });
  if (part === undefined) return { sink: undefined, dedup: undefined, fail };
  const { sink, dedup } = part.createSinkPart(config, { ...deps, onFailure: fail });
  deps.abandonOnFailure.push(sink);
  deps.opened.push({ name: 'redis: close', run: () => dedup.close() });
  return { sink, dedup, fail };
}

/** Why the sink (or the DLQ consumer) could not start, as the reason of the instance's failure. */
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
