import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startGatewayProcess } from '../../testkit/gateway-process.js';
import { fetchMetrics, metricValue } from '../../testkit/prometheus.js';
import { waitFor } from '../../testkit/wait-for.js';
import { impression, postEvents } from '../support/events.js';
import { createTestPipeline, waitAllCommitted } from '../support/pipeline.js';
import { startPrivateRedis } from '../support/private-redis.js';
import { makeTestCertificates } from '../support/tls-certs.js';
// issue 14: the Redis dedup store over TLS (rediss://) with a password,
// the server verified against the CA in ADGATE_REDIS_TLS_CA_FILE. The
// private server has no plain port at all.
const PASSWORD = 'redis-tls-pw-7d2e41';
describe('Redis over TLS with a password (issue 14)', () => {
    let certs;
    let redis;
    let pipeline;
    before(async () => {
        certs = await makeTestCertificates();
        redis = await startPrivateRedis({ tls: certs, password: PASSWORD });
        pipeline = await createTestPipeline({ partitions: 1 });
    });
    after(async () => {
        await pipeline?.cleanup();
        await redis?.stop();
        await certs?.remove();
    });
    it('keeps the dedup keys in the TLS server and catches a duplicate there', async () => {
        const gateway = await startGatewayProcess({
            ...pipeline.env,
            ADGATE_REDIS_URL: redis.url,
            ADGATE_REDIS_TLS_CA_FILE: certs.caFile,
        });
        try {
            const event = impression(`tls-redis-${Date.now()}`);
            assert.equal((await postEvents(gateway.url, [event])).status, 202);
            await waitAllCommitted(pipeline, gateway.output);
            const keys = (await redis.command('KEYS', `${pipeline.env.ADGATE_REDIS_KEY_PREFIX}*`));
            assert.ok(keys.length > 0, 'the dedup keys live in the TLS server');
            assert.equal((await postEvents(gateway.url, [event])).status, 202);
            await waitAllCommitted(pipeline, gateway.output);
            const samples = await fetchMetrics(gateway.url);
            assert.equal(metricValue(samples, 'adgate_dedup_degraded'), 0);
            assert.equal(metricValue(samples, 'adgate_sink_events_total', { outcome: 'duplicate', stage: 'redis' }), 1, 'the second copy was caught by Redis, over TLS');
        }
        finally {
            await gateway.stop('SIGTERM', 30_000);
        }
        assert.doesNotMatch(gateway.output(), new RegExp(PASSWORD), 'the password is never logged');
    });
    it('does not trust a server its CA did not sign: dedup is degraded, PostgreSQL arbitrates', async () => {
        const gateway = await startGatewayProcess({
            ...pipeline.env,
            ADGATE_REDIS_URL: redis.url,
            ADGATE_REDIS_TLS_CA_FILE: certs.otherCaFile,
        });
        try {
            await waitFor('the dedup store to report itself degraded', async () => metricValue(await fetchMetrics(gateway.url), 'adgate_dedup_degraded') === 1, 30_000, 100);
            assert.equal((await postEvents(gateway.url, [impression(`tls-redis-b-${Date.now()}`)])).status, 202);
            await waitAllCommitted(pipeline, gateway.output);
            const inserted = metricValue(await fetchMetrics(gateway.url), 'adgate_sink_events_total', {
                outcome: 'inserted',
            });
            assert.equal(inserted, 1, 'the event still lands once, PostgreSQL alone arbitrating');
        }
        finally {
            await gateway.stop('SIGTERM', 30_000);
        }
        assert.match(gateway.output(), /certificate/i);
    });
});
//# sourceMappingURL=tls-redis.test.js.map