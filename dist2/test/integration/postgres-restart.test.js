import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { startGatewayProcess } from '../../testkit/gateway-process.js';
import { fetchMetrics, metricValue } from '../../testkit/prometheus.js';
import { generateStream } from '../../testkit/stream/generate-stream.js';
import { verifyOutcome } from '../../testkit/verify-outcome.js';
import { waitFor, within } from '../../testkit/wait-for.js';
import { createTestPipeline, waitAllCommitted } from '../support/pipeline.js';
import { startPrivatePostgres } from '../support/private-postgres.js';
import { sendStream } from '../support/send-stream.js';
// The sink must keep its batch and retry while PostgreSQL is away (README:
// dependency failures are retried, never turned into dead letters), and a
// transaction cut by the restart must neither lose nor double its events.
// The cluster is a private one: restarting the shared cluster would break
// every other test running at the same time.
const SEND = {
    kafkaShare: 0.25,
    retryShare: 0.1,
    batchSize: 250,
    concurrency: 4,
};
describe('PostgreSQL restarted mid-stream: no loss, no duplicate', () => {
    let postgres;
    let pipeline;
    let gateway;
    before(async () => {
        postgres = await startPrivatePostgres();
        pipeline = await createTestPipeline({ partitions: 3, pgAdminUrl: postgres.adminUrl });
        gateway = await startGatewayProcess({ ...pipeline.env, ADGATE_RETRY_MAX_BACKOFF_MS: '1000' });
    });
    after(async () => {
        try {
            // Back up first if a failure left it stopped, so that the gateway can drain.
            await postgres?.start();
            await gateway?.stop('SIGTERM');
            await within(60_000, 'pipeline cleanup', pipeline?.cleanup() ?? Promise.resolve());
        }
        finally {
            await within(60_000, 'private PostgreSQL removal', postgres?.destroy() ?? Promise.resolve());
        }
    });
    const unavailableRetries = async () => metricValue(await fetchMetrics(gateway.url), 'adgate_errors_total', {
        reason: 'postgres_unavailable',
    }) ?? 0;
    it('counts every event once across a restart under load and a stop while events arrive', async () => {
        const { items, expected } = generateStream({
            seed: 41_001,
            distinct: 6_000,
            duplicateShare: 0.25,
            malformedShare: 0,
            outOfOrderShare: 0.1,
            campaigns: 20,
            ads: 50,
            publishers: 30,
        });
        const third = Math.ceil(items.length / 3);
        const [a, b, c] = [
            items.slice(0, third),
            items.slice(third, 2 * third),
            items.slice(2 * third),
        ];
        // 1. A fast restart with a sink transaction in flight: a lock held
        //    here stops the sink's write just before its COMMIT (its events
        //    are inserted, its offsets not yet recorded), and the restart
        //    aborts it there. The sink must write the same events again, once.
        const locker = new pg.Client({ connectionString: pipeline.db.url });
        locker.on('error', () => undefined); // the restart cuts this connection too
        await locker.connect();
        await locker.query('BEGIN');
        await locker.query('LOCK TABLE sink_offsets IN EXCLUSIVE MODE');
        const sendingA = sendStream(gateway.url, pipeline, a, { ...SEND, seed: 1 });
        await waitFor('a sink transaction waiting before its COMMIT', async () => {
            const { rows } = await locker.query(`SELECT count(*) AS n FROM pg_stat_activity
           WHERE application_name = 'adgate' AND wait_event_type = 'Lock'`);
            return Number(rows[0]?.n) > 0;
        }, 60_000, 50);
        await postgres.restart();
        await locker.end().catch(() => undefined);
        await sendingA;
        await waitFor('the cut write to be retried', async () => (await unavailableRetries()) > 0);
        // 2. Stopped while events keep arriving: the HTTP ingress still takes
        //    them (Kafka holds them), and the sink must wait, not drop them.
        await waitAllCommitted(pipeline, gateway.output);
        await postgres.stop();
        const endBeforeStop = await pipeline.endTotal();
        const retriesBefore = await unavailableRetries();
        await sendStream(gateway.url, pipeline, b, { ...SEND, seed: 2 });
        await waitFor('the sink to find PostgreSQL away and keep its batch', async () => (await unavailableRetries()) > retriesBefore, 60_000, 100);
        // Offsets move only after a PostgreSQL commit: none of the second third.
        assert.equal(await pipeline.committedTotal(), endBeforeStop);
        assert.ok((await pipeline.endTotal()) > endBeforeStop, 'the second third is in Kafka');
        await postgres.start();
        // 3. Back: the rest of the stream.
        await sendStream(gateway.url, pipeline, c, { ...SEND, seed: 3 });
        await waitAllCommitted(pipeline, gateway.output);
        const verdict = await verifyOutcome(pipeline.db.pool, expected);
        assert.deepEqual(verdict.differences, []);
        assert.equal(verdict.actual.distinct, expected.distinct);
        // A server restarting is no reason for a healthy event to become a dead letter.
        assert.equal(await pipeline.endTotal(pipeline.dlqTopic), 0n, 'nothing in the DLQ');
        assert.equal(await pipeline.endTotal(pipeline.deadTopic), 0n, 'nothing in the dead topic');
    });
});
//# sourceMappingURL=postgres-restart.test.js.map