import { DependencyUnavailableError } from '../errors/adgate-error.js';
import { classifyKafkaError } from './classify-kafka-error.js';
import { describeLimits } from './ensure-topics.js';
import { BATCH_OVERHEAD_BYTES, recordBytes } from './record-size.js';
// A broker refuses a record batch over message.max.bytes (1 MiB by
// default), and kafkajs writes one record batch per partition per request;
// capping a whole request below that keeps every partition's share under it.
// The cap is lower still because kafkajs encodes a request in one
// synchronous run (about 20 µs a record on a slow 2-core machine): at 900 KiB
// that held the event loop, HTTP and sink alike, for up to 170 ms under load.
// 256 KiB (about 900 events) still takes a 500-event HTTP request whole;
// 128 KiB split those in two round trips and doubled their ack p99.
const MAX_REQUEST_BYTES = 256 * 1024;
// Past this much waiting to be sent, new sends fail at once (the caller
// answers 503) instead of queueing without bound while Kafka is away.
const MAX_QUEUED_BYTES = 64 * 1024 * 1024;
const PRODUCER_CONFIG = {
    idempotent: true,
    maxInFlightRequests: 1,
    allowAutoTopicCreation: false,
    // kafkajs merges the client's retry settings into the producer's; an
    // idempotent producer must retry without limit or its sequence numbers
    // can go wrong. Callers are bounded by their own timeout instead.
    retry: { retries: Number.MAX_SAFE_INTEGER, initialRetryTime: 200, maxRetryTime: 5_000 },
};
/** The rough size the request cap was tuned with (value, key and a little framing). */
function roughBytes(m) {
    return (m.value?.length ?? 0) + (m.key?.length ?? 0) + 64;
}
/**
 * The idempotent producer (acks from all in-sync replicas), with exactly
 * one request in flight. kafkajs's idempotent producer loses or misorders
 * messages when several send() calls overlap (tulios/kafkajs#1005, #598),
 * so concurrent callers are queued here and coalesced into one sendBatch:
 * this is also what makes many small HTTP requests cheap. A request never
 * holds more of one topic than that topic accepts in one record batch, and
 * a record the broker still refuses for its size fails only its own send
 * (SPEC §4: one message never holds back the others).
 */
export function createProducer(kafka, log, options = {}) {
    let producer = kafka.producer(PRODUCER_CONFIG);
    let connected;
    let closing;
    const limits = new Map(options.topicLimits ?? []);
    const queue = [];
    let queuedBytes = 0;
    let pumping;
    const connect = () => {
        connected ??= producer.connect().catch((error) => {
            connected = undefined;
            throw error;
        });
        return connected;
    };
    const batchRoom = (topic) => (limits.get(topic) ?? Number.POSITIVE_INFINITY) - BATCH_OVERHEAD_BYTES;
    const sendRequest = async (taken) => {
        await connect();
        await producer.sendBatch({ acks: -1, topicMessages: toTopicMessages(taken) });
    };
    /**
     * After a size refusal. The broker wrote the other partitions of the
     * request, but kafkajs took every partition's sequence numbers back, so
     * the next batch to those partitions would be refused as out of order
     * (OUT_OF_ORDER_SEQUENCE_NUMBER, for ever). A new producer gets a new
     * producer id and starts its sequences afresh; the price is that the
     * sends resent below may land twice, which the idempotency key makes
     * harmless downstream (SPEC §2). The limits are read again, since
     * knowing them did not prevent the refusal.
     */
    const recoverFromSizeRefusal = async (topics) => {
        const refused = producer;
        producer = kafka.producer(PRODUCER_CONFIG);
        connected = undefined;
        await refused.disconnect().catch((error) => {
            log.warn('closing the refused producer failed', { error });
        });
        const admin = kafka.admin();
        try {
            await admin.connect();
            const fresh = await describeLimits(admin, topics);
            topics.forEach((topic, i) => {
                const limit = fresh[i];
                if (limit !== undefined)
                    limits.set(topic, limit);
            });
        }
        catch (error) {
            log.warn('could not read the topics’ limits again', { error });
        }
        finally {
            await admin.disconnect().catch(() => undefined);
        }
    };
    const pump = async () => {
        while (queue.length > 0) {
            const taken = takeRequest(queue, batchRoom);
            queuedBytes -= taken.reduce((sum, send) => sum + send.bytes, 0);
            try {
                await sendRequest(taken);
                for (const send of taken)
                    send.settle();
            }
            catch (error) {
                const failure = classifyKafkaError(error);
                log.warn('Kafka produce failed', { reason: failure.reason, error });
                if (failure.reason !== 'too_large') {
                    for (const send of taken)
                        send.settle(failure);
                    continue;
                }
                await recoverFromSizeRefusal([...new Set(taken.map((s) => s.topic))]);
                if (taken.length === 1) {
                    taken[0]?.settle(failure);
                    continue;
                }
                // Which send was too large the broker does not say: each goes
                // again in a request of its own, so that only that one fails.
                queue.unshift(...taken.map((send) => ({ ...send, alone: true })));
                queuedBytes += taken.reduce((sum, send) => sum + send.bytes, 0);
            }
        }
    };
    return {
        maxRecordBytes(topic) {
            const limit = limits.get(topic);
            return limit === undefined ? undefined : limit - BATCH_OVERHEAD_BYTES;
        },
        send(topic, messages, timeoutMs) {
            if (closing !== undefined) {
                return Promise.reject(new DependencyUnavailableError('kafka_unavailable', 'the producer is closing'));
            }
            const pieces = cutIntoPieces(messages, batchRoom(topic));
            const total = pieces.reduce((sum, p) => sum + p.bytes, 0);
            if (queuedBytes + total > MAX_QUEUED_BYTES) {
                return Promise.reject(new DependencyUnavailableError('kafka_unavailable', 'Kafka is not keeping up: send queue full'));
            }
            const acks = pieces.map((piece) => new Promise((resolve, reject) => {
                queue.push({
                    topic,
                    ...piece,
                    alone: false,
                    settle: (error) => (error === undefined ? resolve() : reject(error)),
                });
            }));
            queuedBytes += total;
            pumping ??= pump().finally(() => {
                pumping = undefined;
            });
            return settleWithin(acks, timeoutMs);
        },
        close() {
            closing ??= (async () => {
                await pumping;
                await producer.disconnect();
            })();
            return closing;
        },
    };
}
/**
 * Takes the next request off the queue: sends in order while the request
 * stays under MAX_REQUEST_BYTES and each topic's share under what that
 * topic takes in one record batch (kafkajs writes one per partition).
 */
function takeRequest(queue, batchRoom) {
    const taken = [];
    const perTopic = new Map();
    let bytes = 0;
    while (queue.length > 0) {
        const next = queue[0];
        const topicBytes = (perTopic.get(next.topic) ?? 0) + next.batchBytes;
        if (taken.length > 0) {
            if (next.alone || taken[0]?.alone)
                break;
            if (bytes + next.bytes > MAX_REQUEST_BYTES)
                break;
            if (topicBytes > batchRoom(next.topic))
                break;
        }
        taken.push(next);
        perTopic.set(next.topic, topicBytes);
        bytes += next.bytes;
        queue.shift();
    }
    return taken;
}
/** Cuts a send into pieces that fit one request, and `batchRoom` (one record batch), each. */
function cutIntoPieces(messages, batchRoom) {
    const pieces = [];
    let current = { messages: [], bytes: 0, batchBytes: 0 };
    for (const m of messages) {
        const size = roughBytes(m);
        const batchSize = recordBytes(m);
        const full = current.bytes + size > MAX_REQUEST_BYTES || current.batchBytes + batchSize > batchRoom;
        if (current.messages.length > 0 && full) {
            pieces.push(current);
            current = { messages: [], bytes: 0, batchBytes: 0 };
        }
        current.messages.push(m);
        current.bytes += size;
        current.batchBytes += batchSize;
    }
    if (current.messages.length > 0)
        pieces.push(current);
    return pieces;
}
/** One request's sends as kafkajs's sendBatch takes them, a topic's in queue order. */
function toTopicMessages(taken) {
    const byTopic = new Map();
    for (const send of taken) {
        const list = byTopic.get(send.topic) ?? [];
        list.push(...send.messages);
        byTopic.set(send.topic, list);
    }
    return [...byTopic].map(([topic, messages]) => ({
        topic,
        messages: messages.map((m) => ({
            key: m.key,
            value: m.value,
            headers: m.headers,
            timestamp: m.timestampMs === undefined ? undefined : String(m.timestampMs),
        })),
    }));
}
/** All pieces acknowledged, or a retriable failure once `timeoutMs` has passed. */
function settleWithin(acks, timeoutMs) {
    let timer;
    const timeout = new Promise((_, reject) => {
        timer = setTimeout(() => reject(new DependencyUnavailableError('kafka_unavailable', `Kafka did not acknowledge within ${timeoutMs} ms`)), timeoutMs);
    });
    // A piece that fails after the timeout already answered is handled here.
    const all = Promise.all(acks).then(() => undefined);
    all.catch(() => undefined);
    return Promise.race([all, timeout]).finally(() => clearTimeout(timer));
}
//# sourceMappingURL=create-producer.js.map