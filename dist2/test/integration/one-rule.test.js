import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startGatewayProcess } from '../../testkit/gateway-process.js';
import { fetchMetrics, metricValue } from '../../testkit/prometheus.js';
import { generateStream } from '../../testkit/stream/generate-stream.js';
import { verifyOutcome } from '../../testkit/verify-outcome.js';
import { waitFor, within } from '../../testkit/wait-for.js';
import { DEV_KEY, impression } from '../support/events.js';
import { uniqueName } from '../support/names.js';
import { createTestPipeline, createTopics, produceRaw, readTopic, waitAllCommitted, } from '../support/pipeline.js';
/** An event's JSON text with `attributes` written as raw JSON (so that __proto__ stays a key). */
function withAttributes(id, campaign, attributesJson) {
    const base = JSON.stringify(impression(id, { campaign_id: campaign }));
    return `${base.slice(0, -1)},"attributes":${attributesJson}}`;
}
/** `text` with `bytes` in place of the marker `@@`. */
function withBytes(text, bytes) {
    const [head, tail] = text.split('@@');
    return Buffer.concat([Buffer.from(head), Buffer.from(bytes), Buffer.from(tail)]);
}
async function post(url, contentType, body) {
    const response = await fetch(`${url}/v1/events`, {
        method: 'POST',
        headers: { authorization: `Bearer ${DEV_KEY}`, 'content-type': contentType },
        body,
    });
    return { status: response.status, body: (await response.json()) };
}
const summary = (rejected) => rejected.map((r) => [r.index, r.reason, r.issues[0]?.path]);
describe('HTTP: what the sink would refuse is rejected by its index', () => {
    let pipeline;
    let gateway;
    before(async () => {
        pipeline = await createTestPipeline({ partitions: 2 });
        gateway = await startGatewayProcess(pipeline.env);
    });
    after(async () => {
        try {
            await gateway?.stop('SIGTERM');
        }
        finally {
            await within(60_000, 'pipeline cleanup', pipeline?.cleanup() ?? Promise.resolve());
        }
    });
    it('never answers 202 for an event that would end in the DLQ, and stores __proto__ as a key', async () => {
        const url = gateway.url;
        const campaign = uniqueName('onerule');
        const id = (n) => uniqueName(`imp-r${n}`);
        const good = (n) => JSON.stringify(impression(id(n), { campaign_id: campaign }));
        const before = await pipeline.endTotal();
        const json = [
            good(0),
            withAttributes(id(1), campaign, '{"k":"a\\u0000b"}'),
            withAttributes(id(2), campaign, '{"\\ud800":"v"}'),
            withAttributes(id(3), campaign, '{"__proto__":"x","constructor":"y","toString":"z"}'),
            withAttributes(id(4), campaign, '{"__proto__":5}'),
        ];
        const array = await post(url, 'application/json', Buffer.from(`[${json.join(',')}]`));
        assert.equal(array.status, 202, JSON.stringify(array.body));
        assert.equal(array.body.accepted, 2);
        assert.deepEqual(summary(array.body.rejected), [
            [1, 'invalid', 'attributes.k'],
            [2, 'invalid', 'attributes.\ud800'],
            [4, 'invalid', 'attributes.__proto__'],
        ]);
        // One valid event padded to 2 MB in its line: too_large, not a 503 forever.
        const padded = good(6).replace(',', `,${' '.repeat(2 * 1024 * 1024)}`);
        const lines = [
            Buffer.from(good(5)),
            Buffer.from(padded),
            withBytes(withAttributes(id(7), campaign, '{"k":"a@@b"}'), [0xff]),
            Buffer.from(good(8)),
            Buffer.from(withAttributes(id(9), campaign, '{"k\\u0000":"v"}')),
        ];
        const ndjsonBody = Buffer.concat(lines.flatMap((line) => [line, Buffer.from('\n')]));
        const ndjson = await post(url, 'application/x-ndjson', ndjsonBody);
        assert.equal(ndjson.status, 202, JSON.stringify(ndjson.body).slice(0, 2000));
        assert.equal(ndjson.body.accepted, 2);
        assert.deepEqual(ndjson.body.rejected.map((r) => [r.index, r.reason]), [
            [1, 'too_large'],
            [2, 'unparsable'],
            [4, 'invalid'],
        ]);
        const notUtf8 = await post(url, 'application/json', withBytes(`[${good(10)},"@@"]`, [0xc3]));
        assert.equal(notUtf8.status, 400, JSON.stringify(notUtf8.body));
        assert.match(String(notUtf8.body.error), /UTF-8/);
        assert.equal((await pipeline.endTotal()) - before, 4n, 'exactly the accepted events in Kafka');
        const { pool } = pipeline.db;
        await waitFor('4 rows of the campaign', async () => (await pool.query('SELECT count(*)::int AS n FROM ad_events WHERE campaign_id = $1', [campaign])).rows[0]?.n === 4, 60_000, 100);
        const { rows } = await pool.query(`SELECT attributes = '{"__proto__":"x","constructor":"y","toString":"z"}'::jsonb AS same,
              ARRAY(SELECT jsonb_object_keys(attributes) ORDER BY 1) AS keys
       FROM ad_events WHERE campaign_id = $1 AND attributes IS NOT NULL`, [campaign]);
        assert.deepEqual(rows, [{ same: true, keys: ['__proto__', 'constructor', 'toString'] }]);
        // Nothing that got a 202 ends in the DLQ (SPEC §3).
        await waitAllCommitted(pipeline, gateway.output);
        assert.equal(await pipeline.endTotal(pipeline.dlqTopic), 0n, 'DLQ size');
    });
});
const MAX_EVENT_BYTES = 4096;
function badMessages(tag) {
    const text = (key, attributesJson) => withAttributes(key, 'camp-bad', attributesJson);
    const bad = (key, value, reason, error) => ({
        key: `${key}-${tag}`,
        value,
        reason,
        error,
    });
    return [
        bad('nul', Buffer.from(text(`nul-${tag}`, '{"k":"a\\u0000b"}')), 'invalid', /U\+0000/),
        bad('surrogate', Buffer.from(text(`sur-${tag}`, '{"\\udc00":"v"}')), 'invalid', /surrogate/),
        bad('proto', Buffer.from(text(`pro-${tag}`, '{"__proto__":{}}')), 'invalid', /__proto__/),
        bad('latin1', withBytes(text(`l1-${tag}`, '{"k":"caf@@"}'), [0xe9]), 'unparsable', /UTF-8/),
        bad('cesu', withBytes(text(`ce-${tag}`, '{"k":"@@"}'), [0xed, 0xa0, 0x80]), 'unparsable', /UTF-8/),
        bad('large', Buffer.from(text(`lg-${tag}`, `{"k":"v"${' '.repeat(2 * MAX_EVENT_BYTES)}}`)), 'too_large', /bytes; at most 4096/),
        bad('tombstone', null, 'unparsable', /empty/),
        bad('empty', Buffer.alloc(0), 'unparsable', /empty/),
    ];
}
describe('Kafka: the sink dead-letters with the same reasons, the events around land once', () => {
    let pipeline;
    let gateway;
    before(async () => {
        pipeline = await createTestPipeline({
            partitions: 2,
            env: { ADGATE_MAX_EVENT_BYTES: String(MAX_EVENT_BYTES) },
        });
        await createTopics(pipeline, 2);
    });
    after(async () => {
        try {
            await gateway?.stop('SIGTERM');
        }
        finally {
            await within(60_000, 'pipeline cleanup', pipeline?.cleanup() ?? Promise.resolve());
        }
    });
    it('invalid, unparsable and too_large, with the original bytes', async () => {
        const { items, expected } = generateStream({
            seed: 93_001,
            distinct: 300,
            duplicateShare: 0.1,
            malformedShare: 0,
            outOfOrderShare: 0,
            campaigns: 5,
            ads: 5,
            publishers: 5,
        });
        const bad = badMessages(Date.now().toString(36));
        const messages = items.map((i) => ({
            key: i.key,
            value: i.json,
        }));
        // Spread among the good events, one of them last.
        bad.forEach((b, i) => {
            const at = i === bad.length - 1 ? messages.length : Math.floor((messages.length * i) / bad.length);
            messages.splice(at, 0, { key: b.key, value: b.value });
        });
        await produceRaw(pipeline, messages);
        gateway = await startGatewayProcess(pipeline.env);
        await waitAllCommitted(pipeline, gateway.output);
        assert.equal(await pipeline.endTotal(pipeline.dlqTopic), BigInt(bad.length), 'DLQ size');
        const dlq = await readTopic(pipeline, pipeline.dlqTopic, bad.length, 60_000);
        for (const b of bad) {
            const letters = dlq.filter((m) => m.key === b.key);
            assert.equal(letters.length, 1, `${b.key}: in the DLQ once`);
            const letter = letters[0];
            assert.ok((letter.value ?? Buffer.alloc(0)).equals(b.value ?? Buffer.alloc(0)), `${b.key}: bytes`);
            assert.equal(letter.headers['adgate-reason'], b.reason, `${b.key}: reason`);
            assert.match(letter.headers['adgate-error'] ?? '', b.error, `${b.key}: error`);
        }
        const verdict = await verifyOutcome(pipeline.db.pool, expected);
        assert.deepEqual(verdict.differences, []);
        assert.equal(verdict.actual.distinct, expected.distinct);
        const samples = await fetchMetrics(gateway.url);
        const dlqCount = (reason) => metricValue(samples, 'adgate_dlq_messages_total', { reason }) ?? 0;
        for (const reason of ['invalid', 'unparsable', 'too_large']) {
            assert.equal(dlqCount(reason), bad.filter((b) => b.reason === reason).length, reason);
        }
        assert.equal(dlqCount('write_failed'), 0, 'nothing reached PostgreSQL to be refused there');
    });
});
//# sourceMappingURL=one-rule.test.js.map