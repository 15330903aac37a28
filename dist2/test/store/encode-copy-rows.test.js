import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { COPY_COLUMNS, encodeCopyRows } from '../../src/store/encode-copy-rows.js';
const event = {
    type: 'click',
    impression_id: 'imp-1',
    occurred_at: '2026-11-24T01:00:00.000Z',
    occurredAtMs: Date.parse('2026-11-24T01:00:00.000Z'),
    campaign_id: 'c1',
    ad_id: 'a1',
    publisher_id: 'p1',
    cost_micros: 250,
    revenue_micros: 0,
    currency: 'EUR',
    attributes: { note: 'tab\there\nnewline \\ backslash' },
};
describe('encodeCopyRows', () => {
    it('writes one escaped COPY text line per row, one value per column of COPY_COLUMNS', () => {
        const line = encodeCopyRows([
            {
                key: Buffer.from('00ff', 'hex'),
                event,
                source: 'ads-eu',
                receivedAtMs: Date.parse('2026-11-24T01:00:01.000Z'),
                partition: 3,
                offset: 42n,
            },
        ]);
        const values = line.slice(0, -1).split('\t');
        assert.equal(values.length, COPY_COLUMNS.length);
        const field = (column) => values[COPY_COLUMNS.indexOf(column)];
        assert.equal(field('idempotency_key'), '\\\\x00ff');
        assert.equal(field('conversion_id'), '\\N', 'conversion_id is NULL for a click');
        assert.equal(field('currency'), 'EUR');
        assert.equal(field('attributes'), '{"note":"tab\\\\there\\\\nnewline \\\\\\\\ backslash"}');
        assert.doesNotMatch(field('attributes') ?? '', /[\t\n]/);
        assert.equal(field('source'), 'ads-eu');
        assert.equal(field('received_at'), '2026-11-24T01:00:01.000Z');
        assert.equal(field('kafka_partition'), '3');
        assert.equal(field('kafka_offset'), '42');
        assert.ok(line.endsWith('\n'));
    });
});
//# sourceMappingURL=encode-copy-rows.test.js.map