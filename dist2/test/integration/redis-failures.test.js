import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startGatewayProcess } from '../../testkit/gateway-process.js';
import { fetchMetrics, metricValue } from '../../testkit/prometheus.js';
import { generateStream } from '../../testkit/stream/generate-stream.js';
import { verifyOutcome } from '../../testkit/verify-outcome.js';
import { waitFor, within } from '../../testkit/wait-for.js';
import { createTestPipeline, waitAllCommitted } from '../support/pipeline.js';
import { startPrivateRedis } from '../support/private-redis.js';
import { sendStream } from '../support/send-stream.js';
// Redis is only the fast path (README): whatever happens to it, PostgreSQL
// must still count every event once. Each test has a redis-server of its
// own, so that FLUSHALL and stopping it never touch the shared one.
const SEND = {
    kafkaShare: 0.25,
    retryShare: 0.1,
    batchSize: 250,
    concurrency: 4,
};
/** What makes two sends the same event: the fields of SPEC §2, the instant normalised. */
function identity(item) {
    const e = JSON.parse(item.json);
    return [e.type, e.impression_id, e.conversion_id ?? '', Date.parse(e.occurred_at ?? '')].join('|');
}
/** Distinct events of `second` that `first` already sent: only PostgreSQL can catch them once Redis forgot. */
function repeatedAcross(first, second) {
    const before = new Set(first.map(identity));
    return new Set(second.map(identity).filter((id) => before.has(id))).size;
}
const POSTGRES_DUPLICATES = [
    'adgate_sink_events_total',
    { outcome: 'duplicate', stage: 'postgres' },
];
async function postgresDuplicates(gateway) {
    return metricValue(await fetchMetrics(gateway.url), ...POSTGRES_DUPLICATES) ?? 0;
}
async function dedupDegraded(gateway) {
    return metricValue(await fetchMetrics(gateway.url), 'adgate_dedup_degraded');
}
/** A pipeline and a gateway whose dedup store is a private redis-server. */
function redisScenario() {
    const s = {};
    before(async () => {
        s.redis = await startPrivateRedis();
        s.pipeline = await createTestPipeline({ partitions: 3 });
        s.gateway = await startGatewayProcess({ ...s.pipeline.env, ADGATE_REDIS_URL: s.redis.url });
    });
    after(async () => {
        try {
            await s.gateway?.stop('SIGTERM');
            await within(60_000, 'pipeline cleanup', s.pipeline?.cleanup() ?? Promise.resolve());
        }
        finally {
            await s.redis?.stop();
        }
    });
    return s;
}
function twoHalves(seed) {
    const { items, expected } = generateStream({
        seed,
        distinct: 5_000,
        duplicateShare: 0.3,
        malformedShare: 0,
        outOfOrderShare: 0.1,
        campaigns: 20,
        ads: 50,
        publishers: 30,
    });
    const middle = Math.floor(items.length / 2);
    const first = items.slice(0, middle);
    const second = items.slice(middle);
    const repeated = repeatedAcross(first, second);
    // Without such repeats the test could not tell a working arbiter from none.
    assert.ok(repeated > 100, `the second half repeats events of the first (${repeated})`);
    return { items, expected, first, second, repeated };
}
describe('Redis FLUSHALL mid-stream: still exact', () => {
    const s = redisScenario();
    it('counts every event once when Redis forgets every key between two halves', async () => {
        const { expected, first, second, repeated } = twoHalves(31_001);
        await sendStream(s.gateway.url, s.pipeline, first, { ...SEND, seed: 1 });
        await waitAllCommitted(s.pipeline, s.gateway.output);
        // The gateway used this Redis: its keys are there to lose.
        assert.ok(Number(await s.redis.command('DBSIZE')) > 0, 'dedup keys in the private Redis');
        assert.equal(await s.redis.command('FLUSHALL'), 'OK');
        assert.equal(Number(await s.redis.command('DBSIZE')), 0);
        const pgDuplicatesBefore = await postgresDuplicates(s.gateway);
        await sendStream(s.gateway.url, s.pipeline, second, { ...SEND, seed: 2 });
        await waitAllCommitted(s.pipeline, s.gateway.output);
        const verdict = await verifyOutcome(s.pipeline.db.pool, expected);
        assert.deepEqual(verdict.differences, []);
        assert.equal(verdict.actual.distinct, expected.distinct);
        // Each event repeated across the flush reached PostgreSQL at least once
        // and was refused there: Redis could not have known it.
        const caughtByPostgres = (await postgresDuplicates(s.gateway)) - pgDuplicatesBefore;
        assert.ok(caughtByPostgres >= repeated, `PostgreSQL caught ${caughtByPostgres} duplicates, at least ${repeated} expected`);
        assert.equal(await dedupDegraded(s.gateway), 0, 'a flushed Redis is still a working Redis');
    });
});
describe('Redis stopped mid-stream: still exact', () => {
    const s = redisScenario();
    it('counts every event once while Redis is down and after it is back, and says it is degraded', async () => {
        const { items, expected, first, second, repeated } = twoHalves(31_002);
        await sendStream(s.gateway.url, s.pipeline, first, { ...SEND, seed: 3 });
        await waitAllCommitted(s.pipeline, s.gateway.output);
        assert.equal(await dedupDegraded(s.gateway), 0);
        await s.redis.stop('SIGTERM');
        const pgDuplicatesBefore = await postgresDuplicates(s.gateway);
        await sendStream(s.gateway.url, s.pipeline, second, { ...SEND, seed: 4 });
        await waitAllCommitted(s.pipeline, s.gateway.output);
        // Flushes ran while Redis was away: the gateway must say so.
        assert.equal(await dedupDegraded(s.gateway), 1, 'adgate_dedup_degraded while Redis is down');
        const caughtByPostgres = (await postgresDuplicates(s.gateway)) - pgDuplicatesBefore;
        assert.ok(caughtByPostgres >= repeated, `PostgreSQL caught ${caughtByPostgres} duplicates, at least ${repeated} expected`);
        let verdict = await verifyOutcome(s.pipeline.db.pool, expected);
        assert.deepEqual(verdict.differences, []);
        // Back, empty: the fast path returns, and a replay of the first
        // thousand sends is still counted zero more times.
        await s.redis.start();
        await waitFor('adgate_dedup_degraded back to 0', async () => (await dedupDegraded(s.gateway)) === 0, 60_000, 250);
        await sendStream(s.gateway.url, s.pipeline, items.slice(0, 1_000), { ...SEND, seed: 5 });
        await waitAllCommitted(s.pipeline, s.gateway.output);
        verdict = await verifyOutcome(s.pipeline.db.pool, expected);
        assert.deepEqual(verdict.differences, []);
        assert.equal(verdict.actual.distinct, expected.distinct);
    });
});
//# sourceMappingURL=redis-failures.test.js.map