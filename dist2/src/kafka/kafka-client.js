import { Kafka, logLevel, } from 'kafkajs';
import { AdgateError, errorMessage } from '../errors/adgate-error.js';
import { classifyKafkaError } from './classify-kafka-error.js';
// Only src/kafka/ imports kafkajs (see types.ts for why).
export { createProducer } from './create-producer.js';
export { ensureTopics } from './ensure-topics.js';
export function createKafka(settings, log) {
    const kafkaLog = log.child({ component: 'kafkajs' });
    return new Kafka({
        clientId: settings.clientId,
        brokers: [...settings.brokers],
        connectionTimeout: 3_000,
        requestTimeout: 30_000,
        retry: { initialRetryTime: 200, maxRetryTime: 5_000, retries: 8 },
        logLevel: logLevel.WARN,
        logCreator: () => ({ level, log: entry }) => {
            const { message, ...fields } = entry;
            // Every deploy and scale-out rebalances the group, and kafkajs
            // reports the heartbeats refused meanwhile as errors: routine, so
            // they must not page anyone.
            if (isRoutineRebalance(fields))
                kafkaLog.info(message, fields);
            else if (level <= logLevel.ERROR)
                kafkaLog.error(message, fields);
            else
                kafkaLog.warn(message, fields);
        },
    });
}
// kafkajs's text for the broker's REBALANCE_IN_PROGRESS (error code 27).
const REBALANCING_TEXT = 'The group is rebalancing, so a rejoin is needed';
/** Whether a kafkajs log entry is a request refused because the group is rebalancing. */
export function isRoutineRebalance(fields) {
    return fields.error === REBALANCING_TEXT;
}
/**
 * A consumer group member with auto-commit off and
 * `eachBatchAutoResolve` off: offsets move only when the sink says so.
 */
export function createBatchConsumer(kafka, settings, log) {
    const consumer = kafka.consumer({
        groupId: settings.groupId,
        sessionTimeout: settings.sessionTimeoutMs ?? 30_000,
        rebalanceTimeout: 60_000,
        heartbeatInterval: settings.heartbeatIntervalMs ?? 3_000,
        maxWaitTimeInMs: settings.maxWaitMs,
        // 1 MiB is thousands of events per partition per fetch: batches stay
        // large while six partitions in flight stay small in memory.
        maxBytesPerPartition: settings.maxBytesPerPartition ?? 1024 * 1024,
        allowAutoTopicCreation: false,
        retry: { retries: Number.MAX_SAFE_INTEGER, initialRetryTime: 300, maxRetryTime: 5_000 },
    });
    const assignmentListeners = [];
    consumer.on(consumer.events.GROUP_JOIN, (event) => {
        const partitions = event.payload.memberAssignment[settings.topic] ?? [];
        log.info('partitions assigned', { groupId: settings.groupId, partitions });
        for (const listener of assignmentListeners)
            listener(partitions);
    });
    const failures = watchFailures(consumer, log);
    let stopping;
    let closing;
    const wrap = (payload) => {
        const { batch } = payload;
        const messages = batch.messages.map((m) => ({
            topic: batch.topic,
            partition: batch.partition,
            offset: BigInt(m.offset),
            key: m.key,
            value: m.value,
            headers: m.headers,
            timestampMs: Number(m.timestamp),
        }));
        const last = messages.at(-1)?.offset;
        const lagAfter = last === undefined ? 0n : BigInt(batch.highWatermark) - last - 1n;
        return {
            topic: batch.topic,
            partition: batch.partition,
            messages,
            lagAfter: lagAfter < 0n ? 0n : lagAfter,
            highWatermark: BigInt(batch.highWatermark),
            heartbeat: () => payload.heartbeat(),
            canCommit: () => !payload.isStale(),
            async commit(nextOffset) {
                payload.resolveOffset(String(nextOffset - 1n));
                // Inside eachBatch, commitOffsetsIfNecessary with explicit offsets
                // commits even while stop() is waiting for us; consumer.commitOffsets
                // is silently dropped once stop() was called.
                await payload.commitOffsetsIfNecessary({
                    topics: [
                        {
                            topic: batch.topic,
                            partitions: [{ partition: batch.partition, offset: String(nextOffset) }],
                        },
                    ],
                });
            },
        };
    };
    return {
        async start(handler) {
            try {
                await consumer.connect();
                await consumer.subscribe({ topics: [settings.topic], fromBeginning: true });
                await consumer.run({
                    autoCommit: false,
                    eachBatchAutoResolve: false,
                    partitionsConsumedConcurrently: settings.concurrency,
                    eachBatch: async (payload) => {
                        try {
                            await handler(wrap(payload));
                        }
                        catch (error) {
                            failures.thrown(error);
                            throw error;
                        }
                    },
                });
            }
            catch (error) {
                throw classifyKafkaError(error);
            }
        },
        stop() {
            // kafkajs's stop() stops fetching, waits for eachBatch calls in
            // flight, then leaves the group.
            stopping ??= consumer.stop();
            return stopping;
        },
        close() {
            closing ??= (async () => {
                await this.stop();
                await consumer.disconnect();
            })();
            return closing;
        },
        onAssignment(listener) {
            assignmentListeners.push(listener);
        },
        onFailure: failures.onFailure,
    };
}
/**
 * kafkajs restarts a crashed consumer only when the error's innermost
 * cause says `retriable: true` (or its retries ran out); any other error
 * thrown from eachBatch (a TypeError, an AdgateError with retriable:
 * false, a non-retriable group error) leaves the consumer disconnected for
 * good, with CRASH { restart: false } its only trace. That is a failure of
 * the instance (SPEC §7), not a log line: the listeners hear of it.
 */
function watchFailures(consumer, log) {
    const listeners = [];
    // What the handler last threw that kafkajs will not retry. kafkajs keeps
    // only the innermost cause (KafkaJSNonRetriableError's cause is
    // `e.cause || e`), which loses the AdgateError and its reason when that
    // error has a cause of its own (a pg error).
    let handlerFailure;
    consumer.on(consumer.events.CRASH, (event) => {
        const { error, restart } = event.payload;
        if (restart) {
            log.warn('Kafka consumer crashed; kafkajs restarts it', { error });
            return;
        }
        const failure = handlerFailure ?? consumerFailure(error);
        handlerFailure = undefined;
        for (const listener of listeners)
            listener(failure);
    });
    return {
        thrown(error) {
            if (error instanceof AdgateError && !error.retriable)
                handlerFailure = error;
        },
        onFailure(listener) {
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
export function consumerFailure(error) {
    for (let e = error, depth = 0; e instanceof Error && depth < 10; depth += 1) {
        if (e instanceof AdgateError)
            return e;
        e = e.cause;
    }
    return new AdgateError('kafka_consumer_crashed', `the Kafka consumer stopped for good: ${errorMessage(error)}`, { retriable: false, cause: error });
}
//# sourceMappingURL=kafka-client.js.map