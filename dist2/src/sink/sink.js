import { SpanStatusCode, trace } from '@opentelemetry/api';
import { errorMessage } from '../errors/adgate-error.js';
import { retryWithBackoff } from '../errors/retry-with-backoff.js';
import { classifyPgError } from '../store/classify-pg-error.js';
import { createPartitionsAhead, pruneEventKeys } from '../store/maintain-event-store.js';
import { readRecordedOffsets } from '../store/write-events.js';
import { BatchAccumulator } from './batch-accumulator.js';
import { flushBatch } from './flush-batch.js';
// The no-op tracer unless start-tracing.ts started the SDK.
const tracer = trace.getTracer('adgate');
/**
 * The sink: reads the ingest topic in batches and lands each message
 * exactly once in PostgreSQL, or in the DLQ. Offsets move only after the
 * PostgreSQL commit, and are also recorded in PostgreSQL in the same
 * transaction, so that a crash between the two never replays into a
 * double count (the idempotency keys would catch that anyway) nor skips.
 */
export function createSink(settings, deps) {
    const { consumer, pool, log, metrics } = deps;
    let abandoned = false;
    let stopping = false;
    let stopped;
    const knownDays = new Set();
    let recordedOffsets;
    let maintenanceTimer;
    const shouldContinue = () => !abandoned;
    const accumulator = new BatchAccumulator({
        maxEvents: settings.batchMaxEvents,
        maxAgeMs: settings.batchMaxAgeMs,
        maxConcurrentFlushes: 2,
        flush: (messages) => tracer.startActiveSpan('adgate.sink.flush', async (span) => {
            span.setAttribute('adgate.messages', messages.length);
            try {
                const summary = await flushBatch(messages, {
                    pool,
                    dedup: deps.dedup,
                    producer: deps.producer,
                    metrics,
                    log,
                    groupId: settings.groupId,
                    topic: settings.topic,
                    dlqTopic: settings.dlqTopic,
                    deadTopic: settings.deadTopic,
                    dlqMaxAttempts: settings.dlqMaxAttempts,
                    window: settings.window,
                    maxEventBytes: settings.maxEventBytes,
                    maxBackoffMs: settings.maxBackoffMs,
                    produceTimeoutMs: settings.produceTimeoutMs,
                    shouldContinue,
                }, knownDays);
                span.setAttributes({
                    'adgate.inserted': summary.inserted,
                    'adgate.duplicates': summary.duplicates,
                    'adgate.dead_letters': summary.deadLetters,
                });
            }
            catch (error) {
                span.recordException(error);
                span.setStatus({ code: SpanStatusCode.ERROR });
                throw error;
            }
            finally {
                span.end();
            }
        }),
    });
    // Where PostgreSQL says each partition has got to: read once per
    // assignment, because the previous owner may have written past what it
    // committed to Kafka.
    consumer.onAssignment(() => {
        recordedOffsets = undefined;
    });
    const recordedOffset = async (partition) => {
        recordedOffsets ??= retryWithBackoff(() => readRecordedOffsets(pool, settings.groupId, settings.topic), classifyPgError, { maxDelayMs: settings.maxBackoffMs, shouldContinue });
        try {
            return (await recordedOffsets).get(partition) ?? 0n;
        }
        catch (error) {
            recordedOffsets = undefined;
            throw error;
        }
    };
    const handle = (batch) => accumulator.track(async () => {
        const last = batch.messages.at(-1);
        if (last === undefined)
            return;
        const floor = await recordedOffset(batch.partition);
        const todo = batch.messages.filter((m) => m.offset >= floor);
        const heartbeat = setInterval(() => {
            batch.heartbeat().catch((error) => {
                log.debug('heartbeat refused (rebalance under way)', { error: errorMessage(error) });
            });
        }, settings.heartbeatEveryMs ?? 1_000);
        let next = todo.length === 0 ? last.offset + 1n : todo[0].offset;
        try {
            // All below the position PostgreSQL recorded: nothing to write.
            if (todo.length === 0)
                await commit(batch, next);
            for (let i = 0; i < todo.length; i += settings.batchMaxEvents) {
                // Draining: finish what was handed over, take nothing new.
                if (stopping && i > 0)
                    break;
                const chunk = todo.slice(i, i + settings.batchMaxEvents);
                await accumulator.submit(chunk);
                next = chunk.at(-1).offset + 1n;
                // Commit per chunk, not per fetch: a fetch can hold tens of
                // thousands of messages, and a position that only moves at its
                // end makes lag look stuck and every restart re-read the fetch.
                await commit(batch, next);
            }
        }
        finally {
            clearInterval(heartbeat);
        }
        const lag = batch.lagAfter + (last.offset + 1n - next);
        metrics.setConsumerLag(Number(lag), { partition: batch.partition });
    });
    const commit = async (batch, next) => {
        // A partition taken away by a rebalance is not ours to commit; its
        // new owner starts from the offset recorded in PostgreSQL.
        if (!batch.canCommit())
            return;
        try {
            await batch.commit(next);
        }
        catch (error) {
            log.warn('offset commit failed; PostgreSQL keeps the position', {
                reason: 'kafka_unavailable',
                error: errorMessage(error),
                partition: batch.partition,
            });
        }
    };
    const maintain = async () => {
        try {
            for (const day of await createPartitionsAhead(pool, settings.window.pastMs)) {
                knownDays.add(day);
            }
            const pruned = await pruneEventKeys(pool, settings.dedupWindowMs);
            if (pruned > 0)
                log.info('pruned idempotency keys past the dedup window', { pruned });
        }
        catch (error) {
            log.warn('event store maintenance failed; will try again', { error });
        }
    };
    return {
        async start() {
            await maintain();
            maintenanceTimer = setInterval(() => void maintain(), settings.maintenanceEveryMs ?? 600_000);
            maintenanceTimer.unref();
            await consumer.start(handle);
            log.info('sink started', { topic: settings.topic, groupId: settings.groupId });
        },
        stop() {
            stopping = true;
            stopped ??= (async () => {
                clearInterval(maintenanceTimer);
                await consumer.stop();
                await accumulator.idle();
                await consumer.close();
            })();
            return stopped;
        },
        abandon() {
            abandoned = true;
        },
    };
}
//# sourceMappingURL=sink.js.map