import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startGatewayProcess } from '../../testkit/gateway-process.js';
import { ExpectedTotals } from '../../testkit/stream/expected-totals.js';
import { generateChunks } from '../../testkit/stream/generate-chunks.js';
import { verifyTotals } from '../../testkit/verify-outcome.js';
import { waitFor } from '../../testkit/wait-for.js';
import { createTestPipeline } from '../support/pipeline.js';
import { sendStream } from '../support/send-stream.js';
describe("the benchmark's verifier: PASS on a correct run, FAIL on any wrong billing row", () => {
    let pipeline;
    let gateway;
    before(async () => {
        pipeline = await createTestPipeline({ partitions: 2 });
        gateway = await startGatewayProcess(pipeline.env);
    });
    after(async () => {
        await gateway?.stop('SIGTERM');
        await pipeline?.cleanup();
    });
    it('passes after the gateway took a chunked stream, then catches tampering', async () => {
        const expected = new ExpectedTotals();
        const items = [];
        for (const chunk of generateChunks({
            seed: 99,
            duplicateShare: 0.2,
            malformedShare: 0, // JSON-array bodies: a malformed line would fail the whole request
            outOfOrderShare: 0.2,
            campaigns: 10,
            ads: 40,
            publishers: 20,
            chunkSize: 1_000,
        })) {
            expected.addChunk(chunk);
            items.push(...chunk.items);
            if (expected.distinct >= 4_000)
                break;
        }
        await sendStream(gateway.url, pipeline, items, {
            seed: 5,
            kafkaShare: 0.3,
            retryShare: 0.1,
            batchSize: 250,
            concurrency: 2,
        });
        const end = await pipeline.endTotal();
        await waitFor('the sink to commit every message', async () => (await pipeline.committedTotal()) === end, 60_000, 200);
        const verdict = await verifyTotals(pipeline.db.pool, expected);
        assert.deepEqual(verdict.differences, []);
        assert.equal(verdict.actual.distinct, 4_000);
        // Move one impression between two rows of the same (hour, campaign,
        // currency): the per-bucket sums stay right, the fingerprint does not.
        const pair = await pipeline.db.pool.query(`
      SELECT a.ctid::text AS a, b.ctid::text AS b FROM billing_hourly a
      JOIN billing_hourly b USING (hour, campaign_id, currency)
      WHERE a.ctid <> b.ctid AND a.impressions > 0 LIMIT 1`);
        const { a, b } = pair.rows[0] ?? assert.fail('no two rows share a campaign-hour');
        await pipeline.db.pool.query('UPDATE billing_hourly SET impressions = impressions - 1 WHERE ctid = $1::tid', [a]);
        await pipeline.db.pool.query('UPDATE billing_hourly SET impressions = impressions + 1 WHERE ctid = $1::tid', [b]);
        const tampered = await verifyTotals(pipeline.db.pool, expected);
        assert.equal(tampered.pass, false);
        assert.ok(tampered.differences.some((d) => d.includes('fingerprint of impressions')), tampered.differences.join('\n'));
        assert.ok(!tampered.differences.some((d) => d.startsWith('billing 20')), 'bucket sums unchanged');
    });
});
//# sourceMappingURL=bench-verifier.test.js.map