import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { encodeCopyRows } from '../../src/store/encode-copy-rows.js';
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
    it('writes one escaped COPY text line per row in staging column order', () => {
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
        const fields = line.slice(0, -1).split('\t');
        assert.equal(fields.length, 16);
        assert.equal(fields[0], '\\\\x00ff');
        assert.equal(fields[7], '\\N', 'conversion_id is NULL for a click');
        assert.equal(fields[10], 'EUR');
        assert.equal(fields[11], '{"note":"tab\\\\there\\\\nnewline \\\\\\\\ backslash"}');
        assert.doesNotMatch(fields[11] ?? '', /[\t\n]/);
        assert.equal(fields[15], '42');
        assert.ok(line.endsWith('\n'));
    });
});
//# sourceMappingURL=encode-copy-rows.test.js.map