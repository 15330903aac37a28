import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { freePort, startGatewayProcess, } from '../../testkit/gateway-process.js';
import { waitFor } from '../../testkit/wait-for.js';
import { impression, postEvents } from '../support/events.js';
import { createTestPipeline } from '../support/pipeline.js';
describe('tracing (ADGATE_OTLP_TRACES_URL)', () => {
    let pipeline;
    let gateway;
    let collector;
    const received = [];
    before(async () => {
        pipeline = await createTestPipeline();
        // A minimal OTLP/HTTP receiver: it records what the exporter sends.
        collector = createServer((req, res) => {
            let body = '';
            req.on('data', (d) => {
                body += d.toString();
            });
            req.on('end', () => {
                if (req.url === '/v1/traces')
                    received.push(body);
                res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
            });
        });
        const port = await freePort();
        await new Promise((r) => collector.listen(port, '127.0.0.1', r));
        gateway = await startGatewayProcess({
            ...pipeline.env,
            ADGATE_OTLP_TRACES_URL: `http://127.0.0.1:${port}/v1/traces`,
        });
    });
    after(async () => {
        await gateway?.stop('SIGKILL').catch(() => undefined);
        await new Promise((r) => collector.close(r));
        await pipeline?.cleanup();
    });
    it('exports the ingress and sink spans, flushed by the drain', async () => {
        const res = await postEvents(gateway.url, impression(`imp-trace-${Date.now()}`));
        assert.equal(res.status, 202);
        await waitFor('the event committed', async () => (await pipeline.committedTotal()) === 1n);
        const exit = await gateway.stop('SIGTERM');
        assert.deepEqual(exit, { code: 0, signal: null });
        const all = received.join('\n');
        assert.match(all, /adgate\.http\.produce/);
        assert.match(all, /adgate\.sink\.flush/);
        assert.match(all, /"adgate\.inserted"/);
    });
});
//# sourceMappingURL=tracing.test.js.map