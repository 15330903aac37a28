import { CompressionTypes } from 'kafkajs';
export function emptyKafkaStats() {
    return {
        sends: 0,
        messages: 0,
        malformed: 0,
        retried: 0,
        retriedMalformed: 0,
        failed: 0,
        ackMs: [],
    };
}
/** The source header adgate stores with each event written straight into Kafka (SPEC §6). */
export const BENCH_SOURCE = 'bench-kafka';
const MAX_ATTEMPTS = 5;
/**
 * An upstream producer writing straight into the ingest topic, as SPEC §4
 * allows: key = impression id, value = the event's JSON, acks from all
 * in-sync replicas. Not idempotent, so that several sends can be in flight.
 */
export class KafkaLoad {
    topic;
    producer;
    constructor(kafka, topic) {
        this.topic = topic;
        this.producer = kafka.producer({ allowAutoTopicCreation: false });
    }
    connect() {
        return this.producer.connect();
    }
    async send(messages, malformed, stats) {
        const started = performance.now();
        stats.sends += 1;
        const records = messages.map((m) => ({
            key: m.key,
            value: m.value,
            headers: { 'adgate-source': BENCH_SOURCE },
        }));
        for (let attempt = 1;; attempt += 1) {
            try {
                await this.producer.send({
                    topic: this.topic,
                    acks: -1,
                    compression: CompressionTypes.None,
                    messages: records,
                });
                stats.messages += messages.length;
                stats.malformed += malformed;
                stats.ackMs.push(performance.now() - started);
                return;
            }
            catch {
                if (attempt >= MAX_ATTEMPTS) {
                    stats.failed += 1;
                    return;
                }
                // Part of the send may have landed: harmless for events (same
                // idempotency key), but a malformed message may reach the DLQ twice.
                stats.retried += 1;
                stats.retriedMalformed += malformed;
                await new Promise((r) => setTimeout(r, 500));
            }
        }
    }
    close() {
        return this.producer.disconnect();
    }
}
//# sourceMappingURL=kafka-load.js.map