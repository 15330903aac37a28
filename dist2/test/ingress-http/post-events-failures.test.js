import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import pg from 'pg';
import { loadConfig } from '../../src/config/load-config.js';
import { DependencyRejectedError, DependencyUnavailableError, } from '../../src/errors/adgate-error.js';
import { createApp } from '../../src/ingress-http/create-app.js';
import { Lifecycle } from '../../src/lifecycle/lifecycle-state.js';
import { createLogger } from '../../src/telemetry/logger.js';
import { createMetrics } from '../../src/telemetry/metrics.js';
import { within } from '../../testkit/wait-for.js';
import { DEV_KEY, impression } from '../support/events.js';
// SPEC §3: 503 with Retry-After when Kafka cannot take the events in time;
// never for a request that would fail the same way again.
/** A producer whose every send fails with `error`: only the HTTP mapping is under test. */
function failingProducer(error) {
    return {
        send: () => Promise.reject(error),
        close: async () => undefined,
        maxRecordBytes: () => undefined,
    };
}
describe('POST /v1/events when the produce fails', () => {
    const metrics = createMetrics();
    // Never connected: the route under test does not touch PostgreSQL.
    const pool = new pg.Pool();
    after(async () => {
        await within(30_000, 'metrics shutdown', metrics.shutdown());
        await within(30_000, 'pool end', pool.end());
    });
    async function post(error) {
        const lifecycle = new Lifecycle();
        lifecycle.moveTo('ready');
        const app = createApp({
            config: loadConfig({}),
            producer: failingProducer(error),
            pool,
            lifecycle,
            metrics,
            log: createLogger('error', {}, () => undefined),
            requestDrain: () => undefined,
        });
        const res = await app.request('/v1/events', {
            method: 'POST',
            headers: { authorization: `Bearer ${DEV_KEY}`, 'content-type': 'application/json' },
            body: JSON.stringify(impression('imp-produce-fails')),
        });
        return {
            status: res.status,
            retryAfter: res.headers.get('retry-after'),
            body: await res.json(),
        };
    }
    it('a retriable failure: 503 with Retry-After and the error reason', async () => {
        const answer = await post(new DependencyUnavailableError('kafka_unavailable', 'timed out'));
        assert.equal(answer.status, 503);
        assert.equal(answer.retryAfter, '1');
        assert.equal(answer.body.reason, 'kafka_unavailable');
    });
    it('a failure that would repeat: 500, no Retry-After, its own reason', async () => {
        // e.g. the topic's authorization refused: the same on every retry.
        const refused = new DependencyRejectedError('kafka_rejected', 'TOPIC_AUTHORIZATION_FAILED');
        const answer = await post(refused);
        assert.equal(answer.status, 500, JSON.stringify(answer.body));
        assert.equal(answer.retryAfter, null);
        assert.equal(answer.body.reason, 'kafka_rejected');
    });
    it('an error that is not an AdgateError (a bug): 500, not a 503 to retry', async () => {
        const answer = await post(new TypeError('x is undefined'));
        assert.equal(answer.status, 500, JSON.stringify(answer.body));
        assert.equal(answer.retryAfter, null);
    });
});
//# sourceMappingURL=post-events-failures.test.js.map