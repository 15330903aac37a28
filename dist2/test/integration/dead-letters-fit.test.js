import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { describeLimits } from '../../src/kafka/ensure-topics.js';
import { startGatewayProcess } from '../../testkit/gateway-process.js';
import { fetchMetrics, metricValue } from '../../testkit/prometheus.js';
import { waitFor, within } from '../../testkit/wait-for.js';
import { impression } from '../support/events.js';
import { createTestPipeline, produceRaw, readTopic, waitAllCommitted, } from '../support/pipeline.js';
// SPEC §4: a dead letter always fits its topic; where a topic still refuses
// one, it is sent with its value cut and marked, and one message never
// holds back its partition. Every test here uses one partition, so that
// "the messages behind it" share the bad message's partition.
// Until the sink dead-letters values over ADGATE_MAX_EVENT_BYTES as
// too_large, a large non-JSON value is dead-lettered as unparsable: both
// say "this message is bad", which is what these tests are about.
const LARGE_BAD_REASONS = ['unparsable', 'too_large'];
const sha256 = (data) => createHash('sha256').update(data).digest('hex');
/** Not JSON, not text: bytes that a decoded-and-re-encoded copy would change. */
function binaryValue(length, seed) {
    const value = Buffer.alloc(length);
    let x = seed;
    for (let i = 0; i < length; i += 1) {
        x = (x * 1_103_515_245 + 12_345) >>> 0;
        value[i] = x >>> 24;
    }
    value[0] = 0xff; // never valid UTF-8, never JSON
    return value;
}
function validEvents(tag, n) {
    return Array.from({ length: n }, (_, i) => {
        const id = `${tag}-${i}`;
        return { key: id, value: JSON.stringify(impression(id)) };
    });
}
async function rowsLanded(pipeline, prefix) {
    const { rows } = await pipeline.db.pool.query('SELECT count(*) AS n FROM ad_events WHERE impression_id LIKE $1', [`${prefix}-%`]);
    return Number(rows[0]?.n ?? 0);
}
async function createTopicsWith(pipeline, topics) {
    const admin = pipeline.kafka.admin();
    await admin.connect();
    try {
        await admin.createTopics({
            waitForLeaders: true,
            topics: topics.map(({ topic, maxMessageBytes }) => ({
                topic,
                numPartitions: 1,
                replicationFactor: 1,
                configEntries: maxMessageBytes === undefined
                    ? []
                    : [{ name: 'max.message.bytes', value: String(maxMessageBytes) }],
            })),
        });
    }
    finally {
        await admin.disconnect();
    }
}
async function topicLimit(pipeline, topic) {
    const admin = pipeline.kafka.admin();
    await admin.connect();
    try {
        const [limit] = await describeLimits(admin, [topic]);
        assert.ok(limit !== undefined, `max.message.bytes of ${topic}`);
        return limit;
    }
    finally {
        await admin.disconnect();
    }
}
/** The gateway's JSON log lines whose msg matches. */
function logLines(gateway, msg) {
    const lines = [];
    for (const line of gateway.output().split('\n')) {
        if (!line.startsWith('{'))
            continue;
        try {
            const entry = JSON.parse(line);
            if (typeof entry.msg === 'string' && msg.test(entry.msg))
                lines.push(entry);
        }
        catch {
            // not a log line
        }
    }
    return lines;
}
function assertOrigin(letter, pipeline, offset) {
    assert.equal(letter.headers['adgate-original-topic'], pipeline.topic);
    assert.equal(letter.headers['adgate-original-partition'], '0');
    assert.equal(letter.headers['adgate-original-offset'], String(offset));
    assert.equal(letter.headers['adgate-attempts'], '1');
}
describe('dead letters: a value just under the ingest topic’s limit, and a tombstone', () => {
    let pipeline;
    let gateway;
    before(async () => {
        pipeline = await createTestPipeline({ partitions: 1 });
        // Only the ingest topic: the gateway creates the DLQ and dead topics.
        await createTopicsWith(pipeline, [{ topic: pipeline.topic }]);
    });
    after(async () => {
        try {
            await gateway?.stop('SIGTERM');
        }
        finally {
            await within(60_000, 'pipeline cleanup', pipeline?.cleanup() ?? Promise.resolve());
        }
    });
    it('lands the value in the DLQ byte for byte, the tombstone as null, and the events behind them', async () => {
        const ingestLimit = await topicLimit(pipeline, pipeline.topic);
        const tag = `big-${Date.now().toString(36)}`;
        // 188 bytes under the limit (1,048,400 of the broker's default
        // 1,048,588): it fits the ingest topic, its DLQ copy with ~300 bytes of
        // headers did not fit a DLQ topic of the same limit.
        const big = binaryValue(ingestLimit - 188, 7);
        await produceRaw(pipeline, validEvents(`${tag}-a`, 20)); // offsets 0-19
        await produceRaw(pipeline, [{ key: `${tag}-big`, value: big }]); // offset 20
        await produceRaw(pipeline, [{ key: `${tag}-tomb`, value: null }]); // offset 21
        await produceRaw(pipeline, validEvents(`${tag}-b`, 20)); // offsets 22-41
        gateway = await startGatewayProcess(pipeline.env);
        await waitAllCommitted(pipeline, gateway.output);
        // The gateway made the dead-letter topics larger than the ingest topic.
        assert.ok((await topicLimit(pipeline, pipeline.dlqTopic)) > ingestLimit + 4096);
        assert.ok((await topicLimit(pipeline, pipeline.deadTopic)) > ingestLimit + 4096);
        assert.equal(await rowsLanded(pipeline, `${tag}-a`), 20);
        assert.equal(await rowsLanded(pipeline, `${tag}-b`), 20, 'the events behind them landed');
        assert.equal(await pipeline.endTotal(pipeline.dlqTopic), 2n);
        const dlq = await readTopic(pipeline, pipeline.dlqTopic, 2, 60_000);
        const bigLetter = dlq.find((m) => m.key === `${tag}-big`);
        const tombLetter = dlq.find((m) => m.key === `${tag}-tomb`);
        assert.ok(bigLetter, 'the large value is in the DLQ');
        assert.ok(bigLetter.value?.equals(big), 'bytes unchanged');
        assert.ok(LARGE_BAD_REASONS.includes(bigLetter.headers['adgate-reason'] ?? ''));
        assert.equal(bigLetter.headers['adgate-value-truncated'], undefined, 'not cut');
        assertOrigin(bigLetter, pipeline, 20);
        assert.ok(tombLetter, 'the tombstone is in the DLQ');
        assert.equal(tombLetter.value, null, 'a tombstone stays a tombstone');
        assert.equal(tombLetter.headers['adgate-reason'], 'unparsable');
        assertOrigin(tombLetter, pipeline, 21);
        const metrics = await fetchMetrics(gateway.url);
        assert.equal(metricValue(metrics, 'adgate_dlq_truncated_total', {}) ?? 0, 0);
    });
});
describe('dead letters: a DLQ topic smaller than the ingest topic', () => {
    const DLQ_LIMIT = 100_000;
    let pipeline;
    let gateway;
    before(async () => {
        pipeline = await createTestPipeline({ partitions: 1 });
        await createTopicsWith(pipeline, [
            { topic: pipeline.topic },
            { topic: pipeline.dlqTopic, maxMessageBytes: DLQ_LIMIT },
            { topic: pipeline.deadTopic, maxMessageBytes: DLQ_LIMIT },
        ]);
    });
    after(async () => {
        try {
            await gateway?.stop('SIGTERM');
        }
        finally {
            await within(60_000, 'pipeline cleanup', pipeline?.cleanup() ?? Promise.resolve());
        }
    });
    it('warns at start, sends the oversized letter cut and marked, and goes on', async () => {
        const ingestLimit = await topicLimit(pipeline, pipeline.topic);
        gateway = await startGatewayProcess(pipeline.env);
        const warnings = logLines(gateway, /^dead-letter topic accepts less/).filter((w) => w.topic === pipeline.dlqTopic);
        assert.equal(warnings.length, 1, gateway.output().slice(-3000));
        assert.equal(warnings[0]?.reason, 'too_large');
        assert.equal(warnings[0]?.maxMessageBytes, DLQ_LIMIT);
        assert.equal(warnings[0]?.ingestMaxMessageBytes, ingestLimit);
        const tag = `cut-${Date.now().toString(36)}`;
        const big = binaryValue(300_000, 11);
        await produceRaw(pipeline, validEvents(`${tag}-a`, 10)); // offsets 0-9
        await produceRaw(pipeline, [
            { key: `${tag}-big`, value: big, headers: { 'x-upstream': 'kept' } },
        ]); // offset 10
        await produceRaw(pipeline, validEvents(`${tag}-b`, 10)); // offsets 11-20
        await waitAllCommitted(pipeline, gateway.output);
        assert.equal(await rowsLanded(pipeline, `${tag}-b`), 10, 'the events behind it landed');
        assert.equal(await pipeline.endTotal(pipeline.dlqTopic), 1n);
        const [letter] = await readTopic(pipeline, pipeline.dlqTopic, 1, 60_000);
        assert.ok(letter);
        assert.equal(letter.key, `${tag}-big`);
        assert.equal(letter.headers['adgate-value-truncated'], String(big.length));
        assert.equal(letter.headers['adgate-value-sha256'], sha256(big));
        assert.ok(LARGE_BAD_REASONS.includes(letter.headers['adgate-reason'] ?? ''));
        assert.equal(letter.headers['x-upstream'], 'kept');
        assertOrigin(letter, pipeline, 10);
        const sent = letter.value ?? Buffer.alloc(0);
        assert.ok(sent.length > 0 && sent.length < DLQ_LIMIT, `cut to ${sent.length} bytes`);
        assert.ok(big.subarray(0, sent.length).equals(sent), 'a prefix of the original');
        // Cut before sending, from the limit read at start: no refusal needed.
        assert.deepEqual(logLines(gateway, /^Kafka produce failed$/), []);
        const metrics = await fetchMetrics(gateway.url);
        assert.equal(metricValue(metrics, 'adgate_dlq_truncated_total', {}), 1);
    });
});
describe('dead letters: a DLQ topic made smaller while the gateway runs', () => {
    const DLQ_LIMIT = 50_000;
    let pipeline;
    let gateway;
    before(async () => {
        pipeline = await createTestPipeline({ partitions: 1 });
        await createTopicsWith(pipeline, [{ topic: pipeline.topic }]);
    });
    after(async () => {
        try {
            await gateway?.stop('SIGTERM');
        }
        finally {
            await within(60_000, 'pipeline cleanup', pipeline?.cleanup() ?? Promise.resolve());
        }
    });
    it('cuts the letter the broker refused, and goes on', async () => {
        gateway = await startGatewayProcess(pipeline.env);
        // The limit the gateway read at start is now wrong: only the broker's
        // refusal says so.
        const admin = pipeline.kafka.admin();
        await admin.connect();
        try {
            await admin.alterConfigs({
                validateOnly: false,
                resources: [
                    {
                        type: 2, // TOPIC
                        name: pipeline.dlqTopic,
                        configEntries: [{ name: 'max.message.bytes', value: String(DLQ_LIMIT) }],
                    },
                ],
            });
        }
        finally {
            await admin.disconnect();
        }
        await waitFor('the lowered limit', async () => (await topicLimit(pipeline, pipeline.dlqTopic)) === DLQ_LIMIT);
        const tag = `refused-${Date.now().toString(36)}`;
        const big = binaryValue(200_000, 13);
        await produceRaw(pipeline, [{ key: `${tag}-big`, value: big }]); // offset 0
        await produceRaw(pipeline, validEvents(`${tag}-b`, 10)); // offsets 1-10
        await waitAllCommitted(pipeline, gateway.output);
        assert.equal(await rowsLanded(pipeline, `${tag}-b`), 10, 'the events behind it landed');
        const end = await pipeline.endTotal(pipeline.dlqTopic);
        assert.ok(end >= 1n, 'in the DLQ');
        const letters = await readTopic(pipeline, pipeline.dlqTopic, Number(end), 60_000);
        assert.ok(letters.length >= 1);
        for (const letter of letters) {
            assert.equal(letter.headers['adgate-value-truncated'], String(big.length));
            assert.equal(letter.headers['adgate-value-sha256'], sha256(big));
            assertOrigin(letter, pipeline, 0);
            assert.ok((letter.value?.length ?? 0) < DLQ_LIMIT);
        }
        // It went the way this test is about: refused first, then cut.
        const refusals = logLines(gateway, /^Kafka produce failed$/).filter((l) => l.reason === 'too_large');
        assert.ok(refusals.length >= 1, 'the broker refused the whole letter');
        const metrics = await fetchMetrics(gateway.url);
        assert.equal(metricValue(metrics, 'adgate_dlq_truncated_total', {}), 1);
    });
});
//# sourceMappingURL=dead-letters-fit.test.js.map