import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeMessage } from '../../src/sink/decode-message.js';
const NOW = Date.parse('2026-11-24T02:00:00Z');
const RULES = { window: { pastMs: 7 * 86_400_000, futureMs: 300_000 }, maxEventBytes: 1024 };
const valid = {
    type: 'impression',
    impression_id: 'imp-1',
    occurred_at: '2026-11-24T01:00:00Z',
    campaign_id: 'c1',
    ad_id: 'a1',
    publisher_id: 'p1',
};
function message(value, headers = {}) {
    const key = Buffer.from('imp-1');
    return { topic: 't', partition: 0, offset: 7n, key, value, headers, timestampMs: NOW };
}
function letterOf(value) {
    const decoded = decodeMessage(message(value), RULES);
    assert.equal(decoded.kind, 'dead-letter');
    return decoded.kind === 'dead-letter' ? decoded : { reason: '', error: '' };
}
describe('decodeMessage: a Kafka message to a row or a dead letter (SPEC §4)', () => {
    it('turns a valid event into a row, with its source and place', () => {
        const decoded = decodeMessage(message(Buffer.from(JSON.stringify(valid)), { 'adgate-source': Buffer.from('ads') }), RULES);
        assert.equal(decoded.kind, 'event');
        if (decoded.kind !== 'event')
            return;
        assert.equal(decoded.row.source, 'ads');
        assert.equal(decoded.row.offset, 7n);
        assert.equal(decoded.row.event.occurred_at, '2026-11-24T01:00:00.000Z');
    });
    it('dead-letters each refusal with the reason of decodeEvent', () => {
        assert.equal(letterOf(null).reason, 'unparsable');
        assert.equal(letterOf(Buffer.from([0x7b, 0xff, 0x7d])).reason, 'unparsable');
        assert.match(letterOf(Buffer.from([0x7b, 0xff, 0x7d])).error, /UTF-8/);
        const big = Buffer.from(JSON.stringify(valid).padEnd(1025, ' '));
        assert.deepEqual(letterOf(big).reason, 'too_large');
        const nul = { ...valid, attributes: { k: 'a\u0000' } };
        const letter = letterOf(Buffer.from(JSON.stringify(nul)));
        assert.equal(letter.reason, 'invalid');
        assert.match(letter.error, /attributes\.k.*U\+0000/);
    });
    it('dead-letters a bad adgate-source header as invalid', () => {
        const decoded = decodeMessage(message(Buffer.from(JSON.stringify(valid)), { 'adgate-source': Buffer.from('a b') }), RULES);
        assert.ok(decoded.kind === 'dead-letter' && decoded.reason === 'invalid');
    });
});
//# sourceMappingURL=decode-message.test.js.map