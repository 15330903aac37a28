import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CHANGES_MAX_LIMIT, changesQuerySchema, decodeCursor, encodeCursor, } from '../../src/billing/query-changes.js';
const position = {
    xid: '12345678901',
    key: { hour: '2026-11-20T10:00:00.000Z', adId: 'ad-1', publisherId: 'pub:1', currency: 'EUR' },
};
describe('the change feed cursor', () => {
    it('round-trips a row position and a head position, as base64url', () => {
        const cursor = encodeCursor(position);
        assert.match(cursor, /^[A-Za-z0-9_-]+$/);
        assert.deepEqual(decodeCursor(cursor), position);
        assert.deepEqual(decodeCursor(encodeCursor({ xid: '42' })), { xid: '42' });
    });
    it('refuses what the feed never issued', () => {
        const forged = (json) => Buffer.from(JSON.stringify(json)).toString('base64url');
        for (const text of [
            '',
            'not base64!',
            Buffer.from('not json').toString('base64url'),
            forged({ xid: '1' }),
            forged(['-1']),
            forged(['abc']),
            forged([1]),
            forged(['1', 'yesterday', 'a', 'p', 'USD']),
            forged(['1', '2026-11-20T10:00:00.000Z', 'a']),
            forged(['18446744073709551616']), // 2^64, past xid8
            forged(['1', '2026-02-30T10:00:00.000Z', 'a', 'p', 'USD']),
            forged(['1', '0000-01-01T00:00:00.000Z', 'a', 'p', 'USD']),
            forged(['1', '2026-11-20T10:00:00.000Z', 'a\u0000', 'p', 'USD']),
        ]) {
            assert.equal(decodeCursor(text), undefined, text);
        }
    });
});
describe('changesQuerySchema', () => {
    it('takes since on the first call and a cursor after it', () => {
        const first = changesQuerySchema.parse({
            campaign_id: 'c1',
            since: '2026-11-20T11:00:00+01:00',
        });
        assert.equal(first.since, Date.parse('2026-11-20T10:00:00Z'));
        assert.equal(first.limit, undefined);
        const next = changesQuerySchema.parse({
            campaign_id: 'c1',
            cursor: encodeCursor(position),
            limit: '10',
        });
        assert.deepEqual(next.cursor, position);
        assert.equal(next.limit, 10);
    });
    it('refuses both, neither, a bad cursor, a limit past the max and unknown parameters', () => {
        const cursor = encodeCursor(position);
        for (const query of [
            { campaign_id: 'c1' },
            { campaign_id: 'c1', since: '2026-11-20T10:00:00Z', cursor },
            { campaign_id: 'c1', cursor: 'bogus!' },
            { campaign_id: 'c1', since: '2026-11-20T10:00:00' },
            { campaign_id: 'c1', since: '1969-12-31T23:59:59.999Z' },
            { campaign_id: 'c1', since: '9999-12-31T23:59:59-01:00' },
            { campaign_id: 'c1', since: '2026-11-20T10:00:00Z', limit: String(CHANGES_MAX_LIMIT + 1) },
            { campaign_id: 'c1', since: '2026-11-20T10:00:00Z', limit: '0' },
            { campaign_id: 'c1', since: '2026-11-20T10:00:00Z', limit: '1.5' },
            { campaign_id: 'c 1', since: '2026-11-20T10:00:00Z' },
            { campaign_id: 'c1', since: '2026-11-20T10:00:00Z', ad_id: 'a' },
        ]) {
            assert.equal(changesQuerySchema.safeParse(query).success, false, JSON.stringify(query));
        }
    });
});
//# sourceMappingURL=query-changes.test.js.map