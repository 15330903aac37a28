import { createRedisDedupStore } from './dedup/redis-dedup-store.js';
import { createApp } from './ingress-http/create-app.js';
import { closeHttpServer, startHttpServer } from './ingress-http/start-http-server.js';
import { createBatchConsumer, createKafka, createProducer, ensureTopics, } from './kafka/kafka-client.js';
import { runDrainSteps } from './lifecycle/drain-gateway.js';
import { LIFECYCLE_STATES, Lifecycle } from './lifecycle/lifecycle-state.js';
import { createSink } from './sink/sink.js';
import { createPool } from './store/create-pool.js';
import { migrate } from './store/migrate.js';
import { createMetrics } from './telemetry/metrics.js';
import { startTracing } from './telemetry/start-tracing.js';
/**
 * Wires the pipeline: HTTP ingress → Kafka → sink (dedup, COPY) →
 * PostgreSQL, per the roles in ADGATE_ROLES, and starts it.
 */
export async function startGateway(config, log, onDrainRequested = () => undefined, onFatal = () => undefined) {
    const lifecycle = new Lifecycle();
    const metrics = createMetrics();
    const tracing = await startTracing(config.ADGATE_OTLP_TRACES_URL, log);
    lifecycle.onChange((state) => {
        for (const s of LIFECYCLE_STATES)
            metrics.setLifecycleState(s === state ? 1 : 0, { state: s });
        log.info('lifecycle', { state });
    });
    const roles = new Set(config.ADGATE_ROLES);
    if (config.usingDevelopmentKey) {
        log.warn('ADGATE_API_KEYS is unset: using the development key "dev-key" (never in production)');
    }
    if (config.ADGATE_MIGRATE_ON_START) {
        const result = await migrate(config.ADGATE_DATABASE_URL, log);
        log.info('migrations', {
            applied: result.applied.length,
            alreadyApplied: result.alreadyApplied,
        });
    }
    const pool = createPool(config.ADGATE_DATABASE_URL, config.ADGATE_DB_POOL_SIZE, log);
    const kafka = createKafka({ clientId: config.ADGATE_KAFKA_CLIENT_ID, brokers: config.ADGATE_KAFKA_BROKERS }, log);
    const topicLimits = await ensureTopics(kafka, {
        ingest: config.ADGATE_TOPIC,
        deadLetters: [config.ADGATE_DLQ_TOPIC, config.ADGATE_DEAD_TOPIC],
        partitions: config.ADGATE_TOPIC_PARTITIONS,
        replication: config.ADGATE_TOPIC_REPLICATION,
    }, log.child({ component: 'topics' }));
    // Knowing the topics' limits up front lets a dead letter be cut to fit
    // before it is sent, not after the broker refused it (SPEC §4).
    const producer = createProducer(kafka, log.child({ component: 'producer' }), {
        topicLimits,
    });
    let dedup;
    let sink;
    if (roles.has('sink')) {
        dedup = createRedisDedupStore({
            url: config.ADGATE_REDIS_URL,
            prefix: config.ADGATE_REDIS_KEY_PREFIX,
            buckets: config.ADGATE_DEDUP_REDIS_BUCKETS,
            windowMs: config.ADGATE_DEDUP_REDIS_WINDOW_MS ?? config.ADGATE_DEDUP_WINDOW_MS,
        }, log.child({ component: 'dedup' }), {
            onDegradedChange: (degraded) => metrics.setDedupDegraded(degraded ? 1 : 0),
            onBucketFill: (largest, compactLimit) => {
                metrics.setDedupBucketMaxKeys(largest);
                metrics.setDedupBucketCompactLimit(compactLimit);
            },
        });
        metrics.setDedupDegraded(0);
        const consumer = createBatchConsumer(kafka, {
            groupId: config.ADGATE_CONSUMER_GROUP,
            topic: config.ADGATE_TOPIC,
            concurrency: config.ADGATE_TOPIC_PARTITIONS,
            maxWaitMs: Math.min(config.ADGATE_BATCH_MAX_AGE_MS, 500),
            sessionTimeoutMs: config.ADGATE_KAFKA_SESSION_TIMEOUT_MS,
            // Frequent heartbeats make members notice a rebalance sooner, which
            // is most of what a deploy's rebalance costs in lag.
            heartbeatIntervalMs: Math.min(1_000, Math.floor(config.ADGATE_KAFKA_SESSION_TIMEOUT_MS / 3)),
        }, log.child({ component: 'consumer' }));
        sink = createSink({
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
        }, { consumer, pool, dedup, producer, metrics, log: log.child({ component: 'sink' }) });
    }
    const app = createApp({
        config,
        producer: roles.has('ingress') ? producer : undefined,
        pool,
        lifecycle,
        metrics,
        log: log.child({ component: 'http' }),
        requestDrain: onDrainRequested,
    });
    const { server, port } = await startHttpServer(app.fetch, {
        host: config.ADGATE_HTTP_HOST,
        port: config.ADGATE_HTTP_PORT,
        headersTimeoutMs: config.ADGATE_HTTP_HEADERS_TIMEOUT_MS,
        requestTimeoutMs: config.ADGATE_HTTP_REQUEST_TIMEOUT_MS,
        keepAliveTimeoutMs: config.ADGATE_HTTP_KEEP_ALIVE_TIMEOUT_MS,
        maxConnections: config.ADGATE_HTTP_MAX_CONNECTIONS,
    }, {
        onClientFault: (fault) => metrics.httpClientFaults.add(1, { fault }),
        onConnectionDropped: () => metrics.httpConnectionsDropped.add(1),
    });
    // The ingress is ready as soon as it can take requests; it does not wait
    // for the sink to join its group, which can take a session timeout when
    // a crashed member is still registered.
    lifecycle.moveTo('ready');
    log.info('adgate ready', { port, roles: [...roles] });
    sink?.start().catch((error) => {
        log.error('the sink could not start', { error });
        lifecycle.moveTo('failed');
        onFatal(error);
    });
    let draining;
    return {
        lifecycle,
        metrics,
        port,
        abandon: () => sink?.abandon(),
        drain() {
            draining ??= (async () => {
                lifecycle.moveTo('draining');
                const report = await runDrainSteps([
                    {
                        name: 'http: stop accepting, finish requests in flight',
                        run: () => closeHttpServer(server),
                    },
                    {
                        name: 'sink: stop fetching, flush batch in hand, commit, leave group',
                        run: async () => sink?.stop(),
                    },
                    { name: 'producer: flush and close', run: () => producer.close() },
                    { name: 'redis: close', run: async () => dedup?.close() },
                    { name: 'postgres: end pool', run: () => pool.end() },
                    { name: 'tracing: flush spans', run: () => tracing.shutdown() },
                ], log);
                metrics.setLastDrainSeconds(report.totalMs / 1000);
                lifecycle.moveTo(report.ok ? 'stopped' : 'failed');
                log.info('drain finished', { ok: report.ok, totalMs: report.totalMs });
                await metrics.shutdown();
                return report;
            })();
            return draining;
        },
    };
}
//# sourceMappingURL=create-gateway.js.map