import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { queryBilling } from '../../src/billing/query-billing.js';
import { changesQuerySchema, queryChanges, } from '../../src/billing/query-changes.js';
import { within } from '../../testkit/wait-for.js';
import { waitFeedSettled } from '../support/billing-feed.js';
import { writeTestEvents } from '../support/event-rows.js';
import { click, conversion, impression } from '../support/events.js';
import { uniqueName } from '../support/names.js';
import { createTestDatabase } from '../support/services.js';
const DAY = '2026-11-20';
const at = (hhmm) => `${DAY}T${hhmm}:00.000Z`;
describe('billing_hourly.updated_at and the change feed (SPEC §3, §5)', () => {
    let db;
    before(async () => {
        db = await createTestDatabase();
    });
    after(() => within(30_000, 'drop test database', db.drop()));
    /** Each test bills its own campaign, so that the tests share the database only. */
    const campaign = () => uniqueName('camp').replace(/_/g, '-');
    async function stamps(campaignId) {
        const { rows } = await db.pool.query(`SELECT hour, impressions, clicks, updated_at, updated_xid::text
       FROM billing_hourly WHERE campaign_id = $1`, [campaignId]);
        return new Map(rows.map((r) => [
            r.hour.toISOString(),
            {
                impressions: Number(r.impressions),
                clicks: Number(r.clicks),
                updatedAt: r.updated_at,
                updatedXid: BigInt(r.updated_xid),
            },
        ]));
    }
    /** The database's clock: `since` and updated_at come from the same one. */
    async function dbNow() {
        const { rows } = await db.pool.query('SELECT clock_timestamp() AS now');
        return rows[0].now.toISOString();
    }
    const waitSettled = (campaignId) => waitFeedSettled(db.pool, campaignId);
    function changes(query) {
        return queryChanges(db.pool, changesQuerySchema.parse(query));
    }
    it('updated_at and updated_xid change exactly when the sums change', async () => {
        const c = campaign();
        const first = impression(`${c}-i1`, { campaign_id: c, occurred_at: at('10:15') });
        const second = impression(`${c}-i2`, { campaign_id: c, occurred_at: at('11:20') });
        assert.equal(await writeTestEvents(db.pool, [first, second]), 2);
        const s1 = await stamps(c);
        assert.equal(s1.size, 2);
        // A duplicate of the 10:00 impression and a new click at 11:00.
        const late = click(`${c}-i2`, { campaign_id: c, occurred_at: at('11:30') });
        assert.equal(await writeTestEvents(db.pool, [first, late]), 1);
        const s2 = await stamps(c);
        assert.deepEqual(s2.get(at('10:00')), s1.get(at('10:00')), 'a duplicate changes nothing');
        const before11 = s1.get(at('11:00'));
        const after11 = s2.get(at('11:00'));
        assert.equal(after11.clicks, 1);
        assert.ok(after11.updatedAt > before11.updatedAt, 'updated_at moved with the sums');
        assert.ok(after11.updatedXid > before11.updatedXid, 'so did updated_xid');
        // A batch of duplicates only: no sum changes, no stamp either.
        assert.equal(await writeTestEvents(db.pool, [first, second, late]), 0);
        assert.deepEqual(await stamps(c), s2);
    });
    it('after an invoice, the feed since then holds exactly the restated hour with its new sums', async () => {
        const c = campaign();
        await writeTestEvents(db.pool, [
            impression(`${c}-i9`, { campaign_id: c, occurred_at: at('09:05') }),
            impression(`${c}-i10`, { campaign_id: c, occurred_at: at('10:05') }),
            impression(`${c}-i11`, { campaign_id: c, occurred_at: at('11:05') }),
        ]);
        const range = { campaign_id: c, from: Date.parse(at('09:00')), to: Date.parse(at('12:00')) };
        const invoiced = await queryBilling(db.pool, 'hourly', range);
        assert.equal(invoiced.length, 3);
        const since = await dbNow();
        // Late events for 10:00, after the invoice.
        await writeTestEvents(db.pool, [
            click(`${c}-i10`, { campaign_id: c, occurred_at: at('10:40'), cost_micros: 300 }),
            conversion(`${c}-i10`, `${c}-cv`, { campaign_id: c, occurred_at: at('10:50') }),
        ]);
        await waitSettled(c);
        const page = await changes({ campaign_id: c, since });
        const now = (await queryBilling(db.pool, 'hourly', range)).find((r) => r.bucket === at('10:00'));
        assert.deepEqual(page.rows.map(({ updated_at, ...row }) => row), [now], 'exactly the 10:00 hour, as it is now');
        assert.equal(page.rows[0]?.clicks, 1);
        assert.equal(page.rows[0]?.conversions, 1);
        assert.equal(page.rows[0]?.cost_micros, '1300');
        assert.equal(page.rows[0]?.revenue_micros, '1000000');
        assert.equal(page.more, false);
        // Its cursor carries on: nothing new, then the next restatement alone.
        assert.deepEqual((await changes({ campaign_id: c, cursor: page.nextCursor })).rows, []);
        await writeTestEvents(db.pool, [
            click(`${c}-i9`, { campaign_id: c, occurred_at: at('09:30') }),
        ]);
        await waitSettled(c);
        const next = await changes({ campaign_id: c, cursor: page.nextCursor });
        assert.deepEqual(next.rows.map((r) => [r.bucket, r.clicks]), [[at('09:00'), 1]]);
    });
    it('pages of a small limit return every changed row once, in order; a row restated later comes again', async () => {
        const c = campaign();
        const since = await dbNow();
        // Five writes over 4 hours x 2 ads, restating some rows several times.
        const writes = [];
        for (let w = 0; w < 5; w += 1) {
            writes.push([0, 1, 2, 3]
                .filter((h) => (h + w) % 2 === 0 || w === 0)
                .flatMap((h) => ['ad-a', 'ad-b'].map((ad) => impression(`${c}-${w}-${h}-${ad}`, {
                campaign_id: c,
                ad_id: ad,
                occurred_at: at(`1${h}:0${w}`),
            }))));
        }
        for (const events of writes)
            await writeTestEvents(db.pool, events);
        await waitSettled(c);
        const { rows: ordered } = await db.pool.query(`SELECT hour, ad_id FROM billing_hourly WHERE campaign_id = $1
       ORDER BY updated_xid, hour, ad_id, publisher_id, currency`, [c]);
        const expected = ordered.map((r) => ({ bucket: r.hour.toISOString(), ad_id: r.ad_id }));
        assert.equal(expected.length, 8);
        const seen = [];
        let page = await changes({ campaign_id: c, since, limit: '3' });
        let calls = 1;
        for (;;) {
            seen.push(...page.rows);
            if (!page.more)
                break;
            page = await changes({ campaign_id: c, cursor: page.nextCursor, limit: '3' });
            calls += 1;
        }
        assert.deepEqual(seen.map((r) => ({ bucket: r.bucket, ad_id: r.ad_id })), expected, 'every row once, in (updated_xid, key) order');
        assert.equal(calls, 3, '3 + 3 + 2 rows');
        // A row already returned is restated: from the last cursor, it alone comes again.
        await writeTestEvents(db.pool, [
            impression(`${c}-again`, { campaign_id: c, ad_id: 'ad-a', occurred_at: at('10:59') }),
        ]);
        await waitSettled(c);
        const again = await changes({ campaign_id: c, cursor: page.nextCursor, limit: '3' });
        assert.deepEqual(again.rows.map((r) => [r.bucket, r.ad_id, r.impressions]), [[at('10:00'), 'ad-a', 4]]);
    });
    it('a write stamped earlier that commits later is not skipped: the feed waits for it', async () => {
        const c = campaign();
        await writeTestEvents(db.pool, [
            impression(`${c}-i1`, { campaign_id: c, occurred_at: at('01:00') }),
            impression(`${c}-i2`, { campaign_id: c, occurred_at: at('02:00') }),
        ]);
        await waitSettled(c);
        const start = await changes({ campaign_id: c, since: await dbNow() });
        assert.deepEqual(start.rows, []);
        // A slow writer restates 01:00 the way the sink's upsert does, and
        // holds its transaction open; a second write restates 02:00 and
        // commits. Paged by updated_at, a reader would pass 02:00 and never
        // come back for the earlier stamp of 01:00.
        const slow = new pg.Client({ connectionString: db.url });
        await slow.connect();
        try {
            await slow.query('BEGIN');
            await slow.query(`UPDATE billing_hourly SET impressions = impressions + 1,
           updated_at = statement_timestamp(), updated_xid = pg_current_xact_id()
         WHERE campaign_id = $1 AND hour = $2`, [c, at('01:00')]);
            await writeTestEvents(db.pool, [
                impression(`${c}-i3`, { campaign_id: c, occurred_at: at('02:30') }),
            ]);
            const meanwhile = await changes({ campaign_id: c, cursor: start.nextCursor });
            assert.deepEqual(meanwhile.rows, [], 'nothing past the open transaction yet');
            await slow.query('COMMIT');
        }
        finally {
            await slow.end();
        }
        await waitSettled(c);
        const page = await changes({ campaign_id: c, cursor: start.nextCursor });
        assert.deepEqual(page.rows.map((r) => [r.bucket, r.impressions]), [
            [at('01:00'), 2],
            [at('02:00'), 2],
        ], 'both, in the order of their transactions');
        assert.ok((page.rows[0]?.updated_at ?? '') < (page.rows[1]?.updated_at ?? ''), 'the first one returned carries the earlier stamp');
    });
});
//# sourceMappingURL=billing-changes.test.js.map