import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startGatewayProcess } from '../../testkit/gateway-process.js';
import { generateStream } from '../../testkit/stream/generate-stream.js';
import { verifyOutcome } from '../../testkit/verify-outcome.js';
import { waitFor } from '../../testkit/wait-for.js';
import { createTestPipeline } from '../support/pipeline.js';
import { sendStream } from '../support/send-stream.js';
describe('exactly once: 20,000 events with 20% duplicates, retried requests, out of order', () => {
    let pipeline;
    let gateway;
    before(async () => {
        pipeline = await createTestPipeline({ partitions: 4 });
        gateway = await startGatewayProcess(pipeline.env);
    });
    after(async () => {
        await gateway?.stop('SIGTERM');
        await pipeline?.cleanup();
    });
    it('holds exactly the distinct events, and billing equals their sums', async () => {
        const { items, expected } = generateStream({
            seed: 20_000,
            distinct: 20_000,
            duplicateShare: 0.25, // 5,000 duplicates among 25,000 sends = 20%
            malformedShare: 0,
            outOfOrderShare: 0.2,
            campaigns: 50,
            ads: 200,
            publishers: 100,
        });
        assert.ok(expected.byType.click > 0 && expected.byType.conversion > 0);
        const report = await sendStream(gateway.url, pipeline, items, {
            seed: 7,
            kafkaShare: 0.25,
            retryShare: 0.1,
            batchSize: 500,
            concurrency: 4,
        });
        assert.ok(report.retriedRequests > 0, 'some requests were retried whole');
        const end = await pipeline.endTotal();
        await waitFor('the sink to commit every message', async () => (await pipeline.committedTotal()) === end, 120_000, 250);
        const verdict = await verifyOutcome(pipeline.db.pool, expected);
        assert.deepEqual(verdict.differences, []);
        assert.equal(verdict.actual.distinct, expected.distinct);
    });
});
//# sourceMappingURL=exactly-once-mixed-stream.test.js.map