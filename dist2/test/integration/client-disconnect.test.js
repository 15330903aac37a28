import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { startGatewayProcess } from '../../testkit/gateway-process.js';
import { fetchMetrics, metricValue } from '../../testkit/prometheus.js';
import { waitFor, within } from '../../testkit/wait-for.js';
import { DEV_KEY, impression, postEvents } from '../support/events.js';
import { uniqueName } from '../support/names.js';
import { createTestPipeline } from '../support/pipeline.js';
/**
 * Sends the headers of a POST /v1/events with `Expect: 100-continue`, waits
 * for the server's 100 Continue (Node calls the request handler as it sends
 * it, so the handler is then reading the body), sends part of the body and
 * destroys the socket.
 */
function postHalfABodyAndHangUp(baseUrl, body) {
    return new Promise((resolve, reject) => {
        const req = request(new URL('/v1/events', baseUrl), {
            method: 'POST',
            headers: {
                authorization: `Bearer ${DEV_KEY}`,
                'content-type': 'application/json',
                'content-length': String(Buffer.byteLength(body)),
                expect: '100-continue',
            },
        });
        req.on('continue', () => {
            req.write(body.slice(0, Math.floor(body.length / 2)), () => {
                req.destroy();
                resolve();
            });
        });
        req.on('response', () => reject(new Error('the server answered a request it cannot have read')));
        // The destroy above aborts the request: the expected end, not a failure.
        req.on('error', () => undefined);
        req.flushHeaders();
    });
}
describe('a client that closes the connection mid-body', () => {
    let pipeline;
    let gateway;
    before(async () => {
        pipeline = await createTestPipeline();
        gateway = await startGatewayProcess(pipeline.env);
    });
    after(async () => {
        try {
            await gateway?.stop('SIGTERM', 60_000);
        }
        finally {
            if (pipeline)
                await within(60_000, 'pipeline cleanup', pipeline.cleanup());
        }
    });
    it('is counted under status 499, not 500, and logged below error level', async () => {
        const events = Array.from({ length: 20 }, (_, i) => impression(uniqueName(`hangup-${i}`)));
        await postHalfABodyAndHangUp(gateway.url, JSON.stringify(events));
        const byStatus = await waitFor('the aborted POST /v1/events in adgate_http_requests_total', async () => {
            const samples = await fetchMetrics(gateway.url);
            const count = (status) => metricValue(samples, 'adgate_http_requests_total', { route: '/v1/events', status }) ?? 0;
            const seen = { 499: count('499'), 500: count('500') };
            return seen[499] + seen[500] > 0 ? seen : undefined;
        }, 30_000, 100);
        assert.deepEqual(byStatus, { 499: 1, 500: 0 }, gateway.output().slice(-4000));
        const errorLines = gateway
            .output()
            .split('\n')
            .filter((line) => line.includes('"level":"error"'));
        assert.deepEqual(errorLines, [], 'nothing that would page anyone');
        // The instance goes on serving.
        const ok = await postEvents(gateway.url, impression(uniqueName('after-hangup')));
        assert.equal(ok.status, 202, JSON.stringify(ok.body));
    });
});
//# sourceMappingURL=client-disconnect.test.js.map