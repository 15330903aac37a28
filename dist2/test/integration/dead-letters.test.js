import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startGatewayProcess } from '../../testkit/gateway-process.js';
import { fetchMetrics, metricValue } from '../../testkit/prometheus.js';
import { generateStream } from '../../testkit/stream/generate-stream.js';
import { createRandom } from '../../testkit/stream/stream-events.js';
import { verifyOutcome } from '../../testkit/verify-outcome.js';
import { within } from '../../testkit/wait-for.js';
import { impression } from '../support/events.js';
import { createTestPipeline, createTopics, produceRaw, readTopic, waitAllCommitted, } from '../support/pipeline.js';
const DLQ_HEADERS = [
    'adgate-reason',
    'adgate-error',
    'adgate-original-topic',
    'adgate-original-partition',
    'adgate-original-offset',
    'adgate-attempts',
    'adgate-first-failed-at',
];
function event(id, overrides = {}) {
    return { ...impression(id), ...overrides };
}
function badMessages(tag) {
    const json = (value, space) => Buffer.from(JSON.stringify(value, null, space));
    return [
        {
            key: null,
            value: Buffer.from(`{"type":"impression","impression_id":"dl-${tag}-trunc",`),
            reason: 'unparsable',
            error: /JSON/,
        },
        {
            // Not even UTF-8: the DLQ must keep these bytes, not a decoded copy.
            key: `dl-${tag}-bytes`,
            value: Buffer.concat([Buffer.from([0xff, 0xfe, 0x00, 0xc3]), Buffer.from(` dl-${tag}`)]),
            reason: 'unparsable',
            error: /UTF-8/,
        },
        {
            // Pretty-printed: the whitespace is part of the original bytes.
            key: `dl-${tag}-schema`,
            value: json(event(`dl-${tag}-schema`, { impression_id: `dl ${tag} schema` }), 2),
            reason: 'invalid',
            error: /impression_id/,
        },
        {
            key: `dl-${tag}-unknown`,
            value: json({ ...event(`dl-${tag}-unknown`), cost_mircos: 1_500 }),
            reason: 'invalid',
            error: /cost_mircos/,
        },
        {
            key: `dl-${tag}-float`,
            value: json(event(`dl-${tag}-float`, { cost_micros: 1.5 })),
            reason: 'invalid',
            error: /cost_micros/,
        },
        {
            key: `dl-${tag}-negative`,
            value: json(event(`dl-${tag}-negative`, { revenue_micros: -5 })),
            reason: 'invalid',
            error: /revenue_micros/,
        },
        {
            key: `dl-${tag}-string-money`,
            value: json(event(`dl-${tag}-string-money`, { cost_micros: '100' })),
            reason: 'invalid',
            error: /cost_micros/,
        },
        {
            key: `dl-${tag}-conversion`,
            value: json(event(`dl-${tag}-conversion`, { type: 'conversion', cost_micros: 0 })),
            reason: 'invalid',
            error: /conversion_id/,
        },
    ];
}
/** Where each message landed in the ingest topic, by its bytes. */
async function placesInTopic(pipeline, count) {
    const messages = await readTopic(pipeline, pipeline.topic, count, 60_000);
    assert.equal(messages.length, count, 'read back the whole ingest topic');
    const places = new Map();
    for (const m of messages) {
        const hex = m.value?.toString('hex') ?? '';
        places.set(hex, [...(places.get(hex) ?? []), m]);
    }
    return places;
}
/** Each bad message is in the DLQ once, byte for byte, with the headers of SPEC §4. */
async function assertDeadLettered(pipeline, bad, totalProduced, startedAtMs) {
    assert.equal(await pipeline.endTotal(pipeline.dlqTopic), BigInt(bad.length), 'DLQ size');
    assert.equal(await pipeline.endTotal(pipeline.deadTopic), 0n, 'nothing in the dead topic');
    const dlq = await readTopic(pipeline, pipeline.dlqTopic, bad.length, 60_000);
    assert.equal(dlq.length, bad.length);
    const places = await placesInTopic(pipeline, totalProduced);
    for (const b of bad) {
        const what = `${b.reason} ${b.key ?? '(no key)'}`;
        const found = dlq.filter((m) => m.value?.equals(b.value));
        assert.equal(found.length, 1, `${what}: in the DLQ once, bytes unchanged`);
        const letter = found[0];
        const [original] = places.get(b.value.toString('hex')) ?? [];
        assert.ok(original, `${what}: in the ingest topic`);
        for (const name of DLQ_HEADERS)
            assert.ok(letter.headers[name], `${what}: header ${name}`);
        assert.equal(letter.key, b.key, `${what}: key unchanged`);
        assert.equal(letter.headers['adgate-reason'], b.reason, `${what}: reason`);
        assert.match(letter.headers['adgate-error'] ?? '', b.error, `${what}: error text`);
        assert.equal(letter.headers['adgate-original-topic'], pipeline.topic);
        assert.equal(letter.headers['adgate-original-partition'], String(original.partition));
        assert.equal(letter.headers['adgate-original-offset'], original.offset);
        assert.equal(letter.headers['adgate-attempts'], '1');
        const firstFailed = Date.parse(letter.headers['adgate-first-failed-at'] ?? '');
        assert.ok(firstFailed >= startedAtMs - 1_000 && firstFailed <= Date.now() + 1_000, `${what}: adgate-first-failed-at ${letter.headers['adgate-first-failed-at']}`);
    }
}
async function dlqMetric(gateway, reason) {
    return metricValue(await fetchMetrics(gateway.url), 'adgate_dlq_messages_total', { reason }) ?? 0;
}
describe('dead letters: unparsable and invalid messages written straight into Kafka', () => {
    let pipeline;
    let gateway;
    before(async () => {
        pipeline = await createTestPipeline({ partitions: 3 });
        await createTopics(pipeline, 3);
    });
    after(async () => {
        try {
            await gateway?.stop('SIGTERM');
        }
        finally {
            await within(60_000, 'pipeline cleanup', pipeline?.cleanup() ?? Promise.resolve());
        }
    });
    it('sends each to the DLQ with its reason, keeps the valid ones around it, and moves the offsets', async () => {
        const startedAtMs = Date.now();
        const { items, expected } = generateStream({
            seed: 51_001,
            distinct: 600,
            duplicateShare: 0.1,
            malformedShare: 0,
            outOfOrderShare: 0,
            campaigns: 10,
            ads: 20,
            publishers: 10,
        });
        const bad = badMessages(startedAtMs.toString(36));
        const messages = items.map((i) => ({
            key: i.key,
            value: i.json,
        }));
        // Scattered among the valid events, and the last two at the very end,
        // where nothing after them could carry their partition's offset forward.
        const random = createRandom(51_002);
        for (const b of bad.slice(0, -2)) {
            messages.splice(Math.floor(random() * messages.length), 0, { key: b.key, value: b.value });
        }
        for (const b of bad.slice(-2))
            messages.push({ key: b.key, value: b.value });
        await produceRaw(pipeline, messages);
        gateway = await startGatewayProcess(pipeline.env);
        await waitAllCommitted(pipeline, gateway.output);
        await assertDeadLettered(pipeline, bad, messages.length, startedAtMs);
        const verdict = await verifyOutcome(pipeline.db.pool, expected);
        assert.deepEqual(verdict.differences, []);
        assert.equal(verdict.actual.distinct, expected.distinct);
        const count = (reason) => bad.filter((b) => b.reason === reason).length;
        assert.equal(await dlqMetric(gateway, 'unparsable'), count('unparsable'));
        assert.equal(await dlqMetric(gateway, 'invalid'), count('invalid'));
        assert.equal(await dlqMetric(gateway, 'write_failed'), 0);
    });
});
describe('one event PostgreSQL refuses does not block its partition', () => {
    let pipeline;
    let gateway;
    before(async () => {
        // One partition: the poison and every other event share it, and one fetch.
        pipeline = await createTestPipeline({ partitions: 1 });
        await createTopics(pipeline, 1);
    });
    after(async () => {
        try {
            await gateway?.stop('SIGTERM');
        }
        finally {
            await within(60_000, 'pipeline cleanup', pipeline?.cleanup() ?? Promise.resolve());
        }
    });
    it('dead-letters it as write_failed while every other event of the batch lands', async () => {
        const startedAtMs = Date.now();
        const { pool } = pipeline.db;
        // A partition that exists before the constraint, and (below) others the
        // gateway creates after it: both must refuse the poison.
        const today = new Date().toISOString().slice(0, 10);
        await pool.query('SELECT adgate_ensure_day_partition($1::date)', [today]);
        await pool.query("ALTER TABLE ad_events ADD CONSTRAINT poison CHECK (campaign_id <> 'poison')");
        const { items, expected } = generateStream({
            seed: 52_001,
            distinct: 300,
            duplicateShare: 0.1,
            malformedShare: 0,
            outOfOrderShare: 0,
            campaigns: 10,
            ads: 20,
            publishers: 10,
        });
        const poisonId = `poison-${startedAtMs.toString(36)}`;
        const poison = {
            key: poisonId,
            value: Buffer.from(JSON.stringify(event(poisonId, { campaign_id: 'poison' }))),
            reason: 'write_failed',
            error: /23514.*"poison"/,
        };
        const messages = items.map((i) => ({
            key: i.key,
            value: i.json,
        }));
        messages.splice(Math.floor(messages.length / 2), 0, { key: poison.key, value: poison.value });
        // All in the topic before the sink starts: they reach it as one batch.
        await produceRaw(pipeline, messages);
        gateway = await startGatewayProcess(pipeline.env);
        await waitAllCommitted(pipeline, gateway.output);
        await assertDeadLettered(pipeline, [poison], messages.length, startedAtMs);
        const verdict = await verifyOutcome(pool, expected);
        assert.deepEqual(verdict.differences, []);
        assert.equal(verdict.actual.distinct, expected.distinct);
        assert.equal(await dlqMetric(gateway, 'write_failed'), 1);
        assert.equal(await dlqMetric(gateway, 'invalid'), 0);
        assert.equal(await dlqMetric(gateway, 'unparsable'), 0);
        // The CHECK on the partitioned parent reached every partition, old and new.
        const { rows } = await pool.query(`
      SELECT c.relname AS partition,
             EXISTS (SELECT 1 FROM pg_constraint k
                     WHERE k.conrelid = c.oid AND k.conname = 'poison') AS has_poison
      FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
      WHERE i.inhparent = 'ad_events'::regclass`);
        assert.ok(rows.length > 1, `several partitions (${rows.length})`);
        assert.deepEqual(rows.filter((r) => !r.has_poison).map((r) => r.partition), [], 'partitions without the constraint');
    });
});
//# sourceMappingURL=dead-letters.test.js.map