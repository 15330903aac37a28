import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startGatewayProcess } from '../../testkit/gateway-process.js';
import { within } from '../../testkit/wait-for.js';
import { waitFeedSettled } from '../support/billing-feed.js';
import { click, conversion, getBilling, impression, postEvents } from '../support/events.js';
import { uniqueName } from '../support/names.js';
import { createTestPipeline, waitAllCommitted } from '../support/pipeline.js';
// SPEC §3: GET /v1/billing/changes (scope `billing`; `since`, `campaign_id`)
// answers the hourly rows whose sums changed after `since`, for re-issuing
// what late events restated; each page carries the cursor of the next.
const KEY = { ingest: 'k1-ingest-0123456789', billing: 'k2-billing-0123456789' };
const API_KEYS = `ads:ingest:${KEY.ingest},fin:billing:${KEY.billing}`;
const HOUR_MS = 3600_000;
const iso = (ms) => new Date(ms).toISOString();
describe('GET /v1/billing/changes over HTTP (SPEC §3, §5)', () => {
    let pipeline;
    let gateway;
    const campaign = uniqueName('feed').replace(/_/g, '-');
    // Two whole hours well inside the acceptance window (SPEC §1).
    const late = Math.floor(Date.now() / HOUR_MS) * HOUR_MS - 3 * HOUR_MS;
    const earlier = late - HOUR_MS;
    before(async () => {
        pipeline = await createTestPipeline({ env: { ADGATE_API_KEYS: API_KEYS } });
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
    /** POSTs events with the ingest key and waits until the sink committed them. */
    async function ingest(events) {
        const answer = await postEvents(gateway.url, events, { key: KEY.ingest });
        assert.equal(answer.status, 202, JSON.stringify(answer.body));
        assert.equal(answer.body.accepted, events.length, JSON.stringify(answer.body));
        await waitAllCommitted(pipeline, gateway.output);
        await waitFeedSettled(pipeline.db.pool, campaign, 120_000);
    }
    async function feed(query) {
        const answer = await getBilling(gateway.url, 'changes', query, { key: KEY.billing });
        assert.equal(answer.status, 200, JSON.stringify(answer.body));
        return answer.body;
    }
    it('after an invoice, the feed from its cursor shows exactly the restated hour with its new sums', async () => {
        const since = iso(Date.now() - HOUR_MS);
        await ingest([
            impression(`${campaign}-i1`, { campaign_id: campaign, occurred_at: iso(late + 5 * 60_000) }),
            impression(`${campaign}-i2`, { campaign_id: campaign, occurred_at: iso(late + 20 * 60_000) }),
            impression(`${campaign}-i3`, { campaign_id: campaign, occurred_at: iso(earlier + 60_000) }),
        ]);
        const first = await feed({ campaign_id: campaign, since });
        assert.deepEqual(first.rows.map((r) => [r.bucket, r.impressions]).sort(), [
            [iso(earlier), 1],
            [iso(late), 2],
        ], JSON.stringify(first));
        assert.equal(first.more, false);
        assert.equal(typeof first.next_cursor, 'string');
        // The invoice of both hours, then a click and a conversion arrive late for one.
        const range = { campaign_id: campaign, from: iso(earlier), to: iso(late + HOUR_MS) };
        const invoiced = await getBilling(gateway.url, 'hourly', range, { key: KEY.billing });
        assert.equal(invoiced.status, 200, JSON.stringify(invoiced.body));
        await ingest([
            click(`${campaign}-i1`, {
                campaign_id: campaign,
                occurred_at: iso(late + 30 * 60_000),
                cost_micros: 250,
            }),
            conversion(`${campaign}-i1`, `${campaign}-cv`, {
                campaign_id: campaign,
                occurred_at: iso(late + 40 * 60_000),
            }),
        ]);
        const next = await feed({ campaign_id: campaign, cursor: first.next_cursor });
        const now = await getBilling(gateway.url, 'hourly', range, { key: KEY.billing });
        const lateNow = now.body.rows.find((r) => r.bucket === iso(late));
        assert.deepEqual(next.rows.map(({ updated_at, ...row }) => row), [lateNow], 'exactly the restated hour, as it is now');
        assert.deepEqual(next.rows.map((r) => [r.impressions, r.clicks, r.conversions, r.cost_micros]), [[2, 1, 1, '2250']]);
        assert.equal(next.rows[0]?.revenue_micros, '1000000');
        assert.equal(next.more, false);
        assert.deepEqual((await feed({ campaign_id: campaign, cursor: next.next_cursor })).rows, []);
    });
    it('400 with the issues for a bad `since` or cursor, as the other billing routes answer', async () => {
        const cases = [
            ['not a timestamp', { since: 'yesterday' }, 'since', /RFC 3339/],
            ['before 1970', { since: '1969-12-31T23:00:00Z' }, 'since', /years 1970\.\.9999/],
            ['a forged cursor', { cursor: 'bm90LWEtY3Vyc29y' }, 'cursor', /next_cursor/],
            ['both at once', { since: iso(late), cursor: 'WyIxIl0' }, 'since', /only `cursor`/],
        ];
        for (const [what, query, path, rule] of cases) {
            const answer = await getBilling(gateway.url, 'changes', { campaign_id: campaign, ...query }, { key: KEY.billing });
            const shown = `${what}: ${answer.status} ${JSON.stringify(answer.body)}`;
            assert.equal(answer.status, 400, shown);
            assert.equal(answer.body.error, 'invalid query', shown);
            const issues = answer.body.issues;
            assert.ok(issues.some((i) => i.path === path && rule.test(i.message)), shown);
        }
    });
    it('401 without a key, 403 with a key that lacks the billing scope', async () => {
        const query = { campaign_id: campaign, since: iso(late) };
        const none = await getBilling(gateway.url, 'changes', query, { key: null });
        assert.equal(none.status, 401, JSON.stringify(none.body));
        const ingestOnly = await getBilling(gateway.url, 'changes', query, { key: KEY.ingest });
        assert.equal(ingestOnly.status, 403, JSON.stringify(ingestOnly.body));
    });
});
//# sourceMappingURL=billing-changes-route.test.js.map