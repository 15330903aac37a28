import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { startGatewayProcess } from '../../testkit/gateway-process.js';
import { waitFor, within } from '../../testkit/wait-for.js';
import { click, conversion, getBilling, impression, postEvents, } from '../support/events.js';
import { uniqueName } from '../support/names.js';
import { createTestPipeline } from '../support/pipeline.js';
// One key per scope, plus one with two scopes, each its own source.
const KEY = {
    ingest: 'k1-ingest-0123456789',
    billing: 'k2-billing-0123456789',
    admin: 'k3-admin-0123456789',
    both: 'k4-both-0123456789',
};
const API_KEYS = [
    `ads:ingest:${KEY.ingest}`,
    `fin:billing:${KEY.billing}`,
    `ops:admin:${KEY.admin}`,
    `eu:ingest+billing:${KEY.both}`,
].join(',');
const MAX_EVENTS = 10;
const MAX_BYTES = 8192;
const HOUR_MS = 3600_000;
const DAY_MS = 24 * HOUR_MS;
function iso(ms) {
    return new Date(ms).toISOString();
}
function floorTo(ms, unit) {
    return Math.floor(ms / unit) * unit;
}
/** A body of `bytes` bytes that is valid JSON: one valid event padded with spaces. */
function paddedBody(event, bytes) {
    const json = JSON.stringify([event]);
    return `${json.slice(0, -1)}${' '.repeat(bytes - json.length)}]`;
}
/** POSTs a body in chunks without Content-Length (Transfer-Encoding: chunked). */
function postChunked(baseUrl, key, chunks) {
    return new Promise((resolve, reject) => {
        const req = request(new URL('/v1/events', baseUrl), {
            method: 'POST',
            headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        }, (res) => {
            let text = '';
            res.setEncoding('utf8');
            res.on('data', (d) => {
                text += d;
            });
            res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
            res.on('error', reject);
        });
        // The server may answer 413 and close before the last chunk is sent.
        req.on('error', reject);
        for (const chunk of chunks)
            req.write(chunk);
        req.end();
    });
}
describe('HTTP API (SPEC §3)', () => {
    let pipeline;
    let gateway;
    before(async () => {
        pipeline = await createTestPipeline({
            env: {
                ADGATE_API_KEYS: API_KEYS,
                ADGATE_MAX_EVENTS_PER_REQUEST: String(MAX_EVENTS),
                ADGATE_MAX_BODY_BYTES: String(MAX_BYTES),
            },
        });
        gateway = await startGatewayProcess(pipeline.env);
    });
    after(async () => {
        try {
            // A no-op when the test already drained it; SIGKILL past the bound.
            await gateway?.stop('SIGTERM', 60_000);
        }
        finally {
            if (pipeline)
                await within(60_000, 'pipeline cleanup', pipeline.cleanup());
        }
    });
    /** Runs `send` and returns how many messages it added to the ingest topic. */
    async function forwardedBy(send) {
        const before = await pipeline.endTotal();
        await send();
        return (await pipeline.endTotal()) - before;
    }
    /** Waits until the sink has written `count` rows of `campaign`. */
    async function waitForRows(campaign, count) {
        const rows = await waitFor(`${count} rows of ${campaign} in ad_events`, async () => {
            const { rows } = await pipeline.db.pool.query('SELECT count(*)::int AS n FROM ad_events WHERE campaign_id = $1', [campaign]);
            const n = rows[0]?.n ?? 0;
            return n >= count ? n : undefined;
        }, 60_000, 100);
        assert.equal(rows, count, `rows of ${campaign} in ad_events`);
    }
    async function postAll(events, key) {
        for (let i = 0; i < events.length; i += MAX_EVENTS) {
            const res = await postEvents(gateway.url, events.slice(i, i + MAX_EVENTS), { key });
            assert.equal(res.status, 202, JSON.stringify(res.body));
            assert.deepEqual(res.body, {
                accepted: Math.min(MAX_EVENTS, events.length - i),
                rejected: [],
            });
        }
    }
    describe('authentication and scopes', () => {
        it('POST /v1/events: 401 without a key or with an unknown one, 403 without the ingest scope', async () => {
            const event = impression(uniqueName('imp-auth'));
            const forwarded = await forwardedBy(async () => {
                const none = await postEvents(gateway.url, event, { key: null });
                assert.equal(none.status, 401, JSON.stringify(none.body));
                assert.equal(typeof none.body.error, 'string');
                const unknown = await postEvents(gateway.url, event, { key: 'not-a-key' });
                assert.equal(unknown.status, 401, JSON.stringify(unknown.body));
                // The development key is not configured when ADGATE_API_KEYS is set.
                const dev = await postEvents(gateway.url, event, { key: 'dev-key' });
                assert.equal(dev.status, 401, JSON.stringify(dev.body));
                const billing = await postEvents(gateway.url, event, { key: KEY.billing });
                assert.equal(billing.status, 403, JSON.stringify(billing.body));
                const admin = await postEvents(gateway.url, event, { key: KEY.admin });
                assert.equal(admin.status, 403, JSON.stringify(admin.body));
            });
            assert.equal(forwarded, 0n, 'nothing reached Kafka');
            const basic = await fetch(`${gateway.url}/v1/events`, {
                method: 'POST',
                headers: {
                    authorization: `Basic ${Buffer.from(`ads:${KEY.ingest}`).toString('base64')}`,
                    'content-type': 'application/json',
                },
                body: JSON.stringify(event),
            });
            assert.equal(basic.status, 401, 'only Bearer is accepted');
        });
        it('GET /v1/billing/*: 401 without a key or with an unknown one, 403 without the billing scope', async () => {
            // Whole UTC days: on the boundary of both granularities (SPEC §3).
            const today = floorTo(Date.now(), DAY_MS);
            const query = { from: iso(today - DAY_MS), to: iso(today), campaign_id: 'camp-1' };
            for (const granularity of ['hourly', 'daily']) {
                const none = await getBilling(gateway.url, granularity, query, { key: null });
                assert.equal(none.status, 401, `${granularity} ${JSON.stringify(none.body)}`);
                const unknown = await getBilling(gateway.url, granularity, query, { key: 'not-a-key' });
                assert.equal(unknown.status, 401, `${granularity} ${JSON.stringify(unknown.body)}`);
                const ingest = await getBilling(gateway.url, granularity, query, { key: KEY.ingest });
                assert.equal(ingest.status, 403, `${granularity} ${JSON.stringify(ingest.body)}`);
                const admin = await getBilling(gateway.url, granularity, query, { key: KEY.admin });
                assert.equal(admin.status, 403, `${granularity} ${JSON.stringify(admin.body)}`);
                for (const key of [KEY.billing, KEY.both]) {
                    const ok = await getBilling(gateway.url, granularity, query, { key });
                    assert.equal(ok.status, 200, `${granularity} ${JSON.stringify(ok.body)}`);
                }
            }
        });
        it('POST /admin/drain: 401 without a key, 403 without the admin scope (the instance keeps serving)', async () => {
            const none = await fetch(`${gateway.url}/admin/drain`, { method: 'POST' });
            assert.equal(none.status, 401);
            for (const key of [KEY.ingest, KEY.billing, KEY.both]) {
                const res = await fetch(`${gateway.url}/admin/drain`, {
                    method: 'POST',
                    headers: { authorization: `Bearer ${key}` },
                });
                assert.equal(res.status, 403);
            }
            assert.equal((await fetch(`${gateway.url}/readyz`)).status, 200);
        });
    });
    describe('POST /v1/events: body', () => {
        it('415 for text/plain, 400 for a body that is not JSON, and nothing is forwarded', async () => {
            const event = impression(uniqueName('imp-body'));
            const forwarded = await forwardedBy(async () => {
                const plain = await postEvents(gateway.url, event, {
                    key: KEY.ingest,
                    contentType: 'text/plain',
                });
                assert.equal(plain.status, 415, JSON.stringify(plain.body));
                const notJson = await postEvents(gateway.url, undefined, {
                    key: KEY.ingest,
                    raw: '{"type": "impression", "impression_id": ',
                });
                assert.equal(notJson.status, 400, JSON.stringify(notJson.body));
                assert.match(String(notJson.body.error), /not JSON/);
                const formEncoded = await postEvents(gateway.url, undefined, {
                    key: KEY.ingest,
                    raw: 'type=impression',
                });
                assert.equal(formEncoded.status, 400, JSON.stringify(formEncoded.body));
            });
            assert.equal(forwarded, 0n);
        });
        it(`413 past ${MAX_EVENTS} events in one request; exactly ${MAX_EVENTS} are accepted`, async () => {
            const events = Array.from({ length: MAX_EVENTS + 1 }, () => impression(uniqueName('imp-count')));
            const refused = await forwardedBy(async () => {
                const res = await postEvents(gateway.url, events, { key: KEY.ingest });
                assert.equal(res.status, 413, JSON.stringify(res.body));
                const ndjson = await postEvents(gateway.url, undefined, {
                    key: KEY.ingest,
                    contentType: 'application/x-ndjson',
                    raw: events.map((e) => JSON.stringify(e)).join('\n'),
                });
                assert.equal(ndjson.status, 413, JSON.stringify(ndjson.body));
                const envelope = await postEvents(gateway.url, { events }, { key: KEY.ingest });
                assert.equal(envelope.status, 413, JSON.stringify(envelope.body));
            });
            assert.equal(refused, 0n, 'nothing of a refused request reached Kafka');
            const accepted = await forwardedBy(async () => {
                const res = await postEvents(gateway.url, events.slice(0, MAX_EVENTS), {
                    key: KEY.ingest,
                });
                assert.equal(res.status, 202, JSON.stringify(res.body));
                assert.deepEqual(res.body, { accepted: MAX_EVENTS, rejected: [] });
            });
            assert.equal(accepted, BigInt(MAX_EVENTS));
        });
        it(`413 for a body over ${MAX_BYTES} bytes, declared or streamed; one at the limit is accepted`, async () => {
            const refused = await forwardedBy(async () => {
                const declared = await postEvents(gateway.url, undefined, {
                    key: KEY.ingest,
                    raw: paddedBody(impression(uniqueName('imp-big')), MAX_BYTES + 1),
                });
                assert.equal(declared.status, 413, JSON.stringify(declared.body));
                const body = paddedBody(impression(uniqueName('imp-big')), 3 * MAX_BYTES);
                const chunks = [body.slice(0, 4096), body.slice(4096, 12288), body.slice(12288)];
                const streamed = await postChunked(gateway.url, KEY.ingest, chunks);
                assert.equal(streamed.status, 413, streamed.text);
            });
            assert.equal(refused, 0n);
            const atLimit = await postEvents(gateway.url, undefined, {
                key: KEY.ingest,
                raw: paddedBody(impression(uniqueName('imp-limit')), MAX_BYTES),
            });
            assert.equal(atLimit.status, 202, JSON.stringify(atLimit.body));
            // The instance still serves after the refused bodies.
            assert.equal((await fetch(`${gateway.url}/readyz`)).status, 200);
        });
        it('202 for a mixed array: each invalid event rejected by its index, the valid ones forwarded', async () => {
            const ok = (n) => impression(uniqueName(`imp-mixed${n}`));
            const events = [
                ok(0),
                { ...ok(1), cost_micros: 1.5 }, // money must be an integer
                ok(2),
                { ...ok(3), cost_micro: 100 }, // unknown field (a typo)
                { ...ok(4), type: 'conversion' }, // conversion without conversion_id
                ok(5),
                { ...ok(6), occurred_at: iso(Date.now() - 8 * DAY_MS) }, // outside the window
            ];
            let body = {};
            const forwarded = await forwardedBy(async () => {
                const res = await postEvents(gateway.url, events, { key: KEY.ingest });
                assert.equal(res.status, 202, JSON.stringify(res.body));
                body = res.body;
            });
            assert.deepEqual(Object.keys(body).sort(), ['accepted', 'rejected']);
            assert.equal(body.accepted, 3);
            assert.equal(forwarded, 3n, 'exactly the valid events reached Kafka');
            const rejected = body.rejected;
            assert.deepEqual(rejected.map((r) => ({
                index: r.index,
                reason: r.reason,
                paths: r.issues.map((i) => i.path),
            })), [
                { index: 1, reason: 'invalid', paths: ['cost_micros'] },
                { index: 3, reason: 'invalid', paths: ['(event)'] },
                { index: 4, reason: 'invalid', paths: ['conversion_id'] },
                { index: 6, reason: 'invalid', paths: ['occurred_at'] },
            ]);
            for (const r of rejected) {
                assert.deepEqual(Object.keys(r).sort(), ['index', 'issues', 'reason']);
                for (const issue of r.issues)
                    assert.ok(issue.message.length > 0, JSON.stringify(r));
            }
            assert.match(JSON.stringify(rejected[1]?.issues), /cost_micro/, 'the typo is named');
        });
        it('422 with the same body when no event is valid, and nothing is forwarded', async () => {
            let array = {};
            let single = {};
            const forwarded = await forwardedBy(async () => {
                const res = await postEvents(gateway.url, [{ type: 'view' }, { ...impression(uniqueName('imp-422')), currency: 'usd' }], { key: KEY.ingest });
                assert.equal(res.status, 422, JSON.stringify(res.body));
                array = res.body;
                const one = await postEvents(gateway.url, { ...impression(uniqueName('imp-422')), cost_micros: '100' }, { key: KEY.ingest });
                assert.equal(one.status, 422, JSON.stringify(one.body));
                single = one.body;
            });
            assert.equal(forwarded, 0n);
            assert.equal(array.accepted, 0);
            const rejected = array.rejected;
            assert.deepEqual(rejected.map((r) => [r.index, r.reason]), [
                [0, 'invalid'],
                [1, 'invalid'],
            ]);
            assert.ok(rejected.every((r) => r.issues.length > 0));
            assert.deepEqual(rejected[1]?.issues.map((i) => i.path), ['currency']);
            assert.equal(single.accepted, 0);
            assert.deepEqual(single.rejected.map((r) => [r.index, r.reason, r.issues[0]?.path]), [[0, 'invalid', 'cost_micros']]);
        });
        it('NDJSON: a bad line in the middle is rejected by its index, the other lines are accepted', async () => {
            const campaign = uniqueName('ndjson');
            const good = [0, 1, 3, 5].map((n) => impression(uniqueName(`imp-nd${n}`), { campaign_id: campaign }));
            const lines = [
                JSON.stringify(good[0]),
                JSON.stringify(good[1]),
                '{"type": "impression", "impression_id": "half',
                JSON.stringify(good[2]),
                JSON.stringify({ ...impression(uniqueName('imp-nd4')), campaign_id: 'no spaces' }),
                JSON.stringify(good[3]),
            ];
            let body = {};
            const forwarded = await forwardedBy(async () => {
                const res = await postEvents(gateway.url, undefined, {
                    key: KEY.ingest,
                    contentType: 'application/x-ndjson; charset=utf-8',
                    raw: `${lines.join('\n')}\n`,
                });
                assert.equal(res.status, 202, JSON.stringify(res.body));
                body = res.body;
            });
            assert.equal(body.accepted, 4);
            assert.equal(forwarded, 4n);
            const rejected = body.rejected;
            assert.deepEqual(rejected.map((r) => [r.index, r.reason]), [
                [2, 'unparsable'],
                [4, 'invalid'],
            ]);
            assert.ok(rejected.every((r) => r.issues.length > 0));
            await waitForRows(campaign, 4);
        });
        it('accepts the {"events": [...]} envelope and a single event object', async () => {
            const campaign = uniqueName('envelope');
            const events = [0, 1, 2].map((n) => impression(uniqueName(`imp-env${n}`), { campaign_id: campaign }));
            const envelope = await postEvents(gateway.url, { events: [events[0], { type: 'nope' }, events[1]] }, { key: KEY.ingest });
            assert.equal(envelope.status, 202, JSON.stringify(envelope.body));
            assert.equal(envelope.body.accepted, 2);
            assert.deepEqual(envelope.body.rejected.map((r) => r.index), [1], 'the index is the position in the events array');
            const single = await postEvents(gateway.url, events[2], { key: KEY.ingest });
            assert.equal(single.status, 202, JSON.stringify(single.body));
            assert.deepEqual(single.body, { accepted: 1, rejected: [] });
            await waitForRows(campaign, 3);
        });
        it('stores the source of the key with each event (ad_events.source)', async () => {
            const campaign = uniqueName('source');
            const fromAds = impression(uniqueName('imp-src'), { campaign_id: campaign });
            const fromEu = impression(uniqueName('imp-src'), { campaign_id: campaign });
            assert.equal((await postEvents(gateway.url, fromAds, { key: KEY.ingest })).status, 202);
            assert.equal((await postEvents(gateway.url, fromEu, { key: KEY.both })).status, 202);
            await waitForRows(campaign, 2);
            const { rows } = await pipeline.db.pool.query('SELECT impression_id, source FROM ad_events WHERE campaign_id = $1 ORDER BY source', [campaign]);
            assert.deepEqual(rows, [
                { impression_id: fromAds.impression_id, source: 'ads' },
                { impression_id: fromEu.impression_id, source: 'eu' },
            ]);
        });
    });
    describe('GET /v1/billing/hourly and /daily', () => {
        it('400 for a missing or invalid from, to or campaign_id, and for an unknown parameter', async () => {
            const today = floorTo(Date.now(), DAY_MS);
            const valid = { from: iso(today - DAY_MS), to: iso(today), campaign_id: 'camp-1' };
            const bad = [
                { query: { from: undefined }, path: 'from' },
                { query: { to: undefined }, path: 'to' },
                { query: { campaign_id: undefined }, path: 'campaign_id' },
                { query: { from: 'yesterday' }, path: 'from' },
                { query: { from: '2026-01-01' }, path: 'from' },
                { query: { to: '2026-01-01T00:00:00' }, path: 'to' }, // no offset
                { query: { to: iso(today - 2 * DAY_MS) }, path: 'to' }, // before from
                { query: { to: valid.from }, path: 'to' }, // an empty range
                { query: { campaign_id: 'has space' }, path: 'campaign_id' },
                { query: { campaign_id: '' }, path: 'campaign_id' },
                { query: { ad_id: 'x'.repeat(65) }, path: 'ad_id' },
                { query: { publisher_id: 'a/b' }, path: 'publisher_id' },
                { query: { campaign: 'camp-1' }, path: '' }, // a typo of a parameter
            ];
            for (const granularity of ['hourly', 'daily']) {
                for (const { query, path } of bad) {
                    const q = {};
                    for (const [k, v] of Object.entries({ ...valid, ...query })) {
                        if (v !== undefined)
                            q[k] = v;
                    }
                    const res = await getBilling(gateway.url, granularity, q, { key: KEY.billing });
                    const what = `${granularity} ${JSON.stringify(query)}: ${JSON.stringify(res.body)}`;
                    assert.equal(res.status, 400, what);
                    const issues = res.body.issues;
                    assert.ok(Array.isArray(issues) && issues.length > 0, what);
                    if (path !== '') {
                        assert.ok(issues.some((i) => i.path === path), what);
                    }
                }
            }
        });
        it('hourly: rows by hour of occurred_at, ordered by bucket, filters, `to` exclusive, money as decimal strings', async () => {
            const campaign = uniqueName('hourly');
            const h0 = floorTo(Date.now(), HOUR_MS);
            const hourA = h0 - 3 * HOUR_MS;
            const hourB = h0 - HOUR_MS;
            const at = (hour, minutes) => iso(hour + minutes * 60_000);
            const base = { campaign_id: campaign };
            const big = 1_000_000_000_000_000; // 10^15, the most one event may cost
            const events = [
                // hour A: an impression and its click on a1/p1, a costly impression on a2/p1
                impression('h-imp-1', {
                    ...base,
                    ad_id: 'a1',
                    publisher_id: 'p1',
                    occurred_at: at(hourA, 5),
                    cost_micros: 1_000,
                }),
                click('h-imp-1', {
                    ...base,
                    ad_id: 'a1',
                    publisher_id: 'p1',
                    occurred_at: at(hourA, 6),
                    cost_micros: 250,
                }),
                impression('h-imp-2', {
                    ...base,
                    ad_id: 'a2',
                    publisher_id: 'p1',
                    occurred_at: at(hourA, 59.99),
                    cost_micros: big,
                }),
                // hour B: the conversion of h-imp-1 lands in its own hour, not the impression's
                conversion('h-imp-1', 'conv-1', {
                    ...base,
                    ad_id: 'a1',
                    publisher_id: 'p1',
                    occurred_at: at(hourB, 0),
                    revenue_micros: 7_000_000,
                }),
                impression('h-imp-3', {
                    ...base,
                    ad_id: 'a1',
                    publisher_id: 'p2',
                    occurred_at: at(hourB, 30),
                    cost_micros: 500,
                }),
                impression('h-imp-4', {
                    ...base,
                    ad_id: 'a1',
                    publisher_id: 'p2',
                    occurred_at: at(hourB, 31),
                    cost_micros: 900,
                    currency: 'EUR',
                }),
            ];
            // 10 × 10^15 + 1: a sum past 2^53, which a JSON number would round.
            for (let i = 0; i < 11; i += 1) {
                events.push(impression(`h-big-${i}`, {
                    ...base,
                    ad_id: 'a3',
                    publisher_id: 'p3',
                    occurred_at: at(hourB, 40),
                    cost_micros: i === 10 ? 1 : big,
                }));
            }
            await postAll(events, KEY.ingest);
            await waitForRows(campaign, events.length);
            const row = (hour, ad, pub, cur, counts, cost, revenue) => ({
                bucket: iso(hour),
                campaign_id: campaign,
                ad_id: ad,
                publisher_id: pub,
                currency: cur,
                impressions: counts[0],
                clicks: counts[1],
                conversions: counts[2],
                cost_micros: cost,
                revenue_micros: revenue,
            });
            const all = [
                row(hourA, 'a1', 'p1', 'USD', [1, 1, 0], '1250', '0'),
                row(hourA, 'a2', 'p1', 'USD', [1, 0, 0], '1000000000000000', '0'),
                row(hourB, 'a1', 'p1', 'USD', [0, 0, 1], '0', '7000000'),
                row(hourB, 'a1', 'p2', 'EUR', [1, 0, 0], '900', '0'),
                row(hourB, 'a1', 'p2', 'USD', [1, 0, 0], '500', '0'),
                row(hourB, 'a3', 'p3', 'USD', [11, 0, 0], '10000000000000001', '0'),
            ];
            const hourly = async (query) => {
                const res = await getBilling(gateway.url, 'hourly', { campaign_id: campaign, ...query }, { key: KEY.billing });
                assert.equal(res.status, 200, JSON.stringify(res.body));
                return res.body.rows;
            };
            assert.deepEqual(await hourly({ from: iso(hourA), to: iso(hourB + HOUR_MS) }), all);
            // `to` is exclusive: ending at hour B leaves out hour B's buckets.
            assert.deepEqual(await hourly({ from: iso(hourA), to: iso(hourB) }), all.slice(0, 2));
            assert.deepEqual(await hourly({ from: iso(hourB), to: iso(hourB + HOUR_MS) }), all.slice(2));
            assert.deepEqual(await hourly({ from: iso(hourA + HOUR_MS), to: iso(hourB) }), []);
            // Any offset names the same instant.
            assert.deepEqual(await hourly({
                from: iso(hourA).replace('Z', '+00:00'),
                to: iso(hourB + HOUR_MS).replace('.000Z', '.000-00:00'),
            }), all);
            assert.deepEqual(await hourly({ from: iso(hourA), to: iso(hourB + HOUR_MS), ad_id: 'a1' }), all.filter((r) => r.ad_id === 'a1'));
            assert.deepEqual(await hourly({ from: iso(hourA), to: iso(hourB + HOUR_MS), publisher_id: 'p1' }), all.filter((r) => r.publisher_id === 'p1'));
            assert.deepEqual(await hourly({
                from: iso(hourA),
                to: iso(hourB + HOUR_MS),
                ad_id: 'a1',
                publisher_id: 'p2',
            }), all.filter((r) => r.ad_id === 'a1' && r.publisher_id === 'p2'));
            assert.deepEqual(await hourly({ from: iso(hourA), to: iso(hourB + HOUR_MS), ad_id: 'nope' }), []);
            // Another campaign's rows never show.
            const other = await getBilling(gateway.url, 'hourly', { campaign_id: `${campaign}-other`, from: iso(hourA), to: iso(hourB + HOUR_MS) }, { key: KEY.billing });
            assert.deepEqual(other.body, { rows: [] });
        });
        it('daily: rows by UTC day of occurred_at across a day boundary, `to` exclusive, filters', async () => {
            const campaign = uniqueName('daily');
            const today = floorTo(Date.now(), DAY_MS);
            const day1 = today - 2 * DAY_MS;
            const day2 = today - DAY_MS;
            const base = { campaign_id: campaign, publisher_id: 'p1' };
            const events = [
                impression('d-imp-1', {
                    ...base,
                    ad_id: 'a1',
                    occurred_at: iso(day1 + 12 * HOUR_MS),
                    cost_micros: 100,
                }),
                // The last millisecond of day 1 and the first of day 2, written with offsets.
                impression('d-imp-2', {
                    ...base,
                    ad_id: 'a1',
                    occurred_at: iso(day2 - 1).replace('Z', '+00:00'),
                    cost_micros: 10,
                }),
                impression('d-imp-3', {
                    ...base,
                    ad_id: 'a1',
                    occurred_at: iso(day2).replace('T00:', 'T02:').replace('.000Z', '.000+02:00'),
                    cost_micros: 1,
                }),
                click('d-imp-3', { ...base, ad_id: 'a1', occurred_at: iso(day2 + 23 * HOUR_MS) }),
                conversion('d-imp-3', 'd-conv', {
                    ...base,
                    ad_id: 'a1',
                    occurred_at: iso(day2 + 23 * HOUR_MS + 1),
                    revenue_micros: 42,
                }),
                impression('d-imp-4', {
                    ...base,
                    ad_id: 'a2',
                    publisher_id: 'p2',
                    occurred_at: iso(day2 + HOUR_MS),
                    cost_micros: 5,
                }),
            ];
            await postAll(events, KEY.both);
            await waitForRows(campaign, events.length);
            const row = (day, ad, pub, counts, cost, revenue) => ({
                bucket: iso(day),
                campaign_id: campaign,
                ad_id: ad,
                publisher_id: pub,
                currency: 'USD',
                impressions: counts[0],
                clicks: counts[1],
                conversions: counts[2],
                cost_micros: cost,
                revenue_micros: revenue,
            });
            const all = [
                row(day1, 'a1', 'p1', [2, 0, 0], '110', '0'),
                row(day2, 'a1', 'p1', [1, 1, 1], '1', '42'),
                row(day2, 'a2', 'p2', [1, 0, 0], '5', '0'),
            ];
            const daily = async (query) => {
                const res = await getBilling(gateway.url, 'daily', { campaign_id: campaign, ...query }, { key: KEY.billing });
                assert.equal(res.status, 200, JSON.stringify(res.body));
                return res.body.rows;
            };
            assert.deepEqual(await daily({ from: iso(day1), to: iso(today) }), all);
            assert.deepEqual(await daily({ from: iso(day1), to: iso(day2) }), all.slice(0, 1), '`to` is exclusive');
            assert.deepEqual(await daily({ from: iso(day2), to: iso(today) }), all.slice(1));
            assert.deepEqual(await daily({ from: iso(day1), to: iso(today), ad_id: 'a2' }), all.slice(2));
            assert.deepEqual(await daily({ from: iso(day1), to: iso(today), publisher_id: 'p1' }), all.slice(0, 2));
            // The daily rows are the sums of the hourly ones.
            const hourly = await getBilling(gateway.url, 'hourly', { campaign_id: campaign, from: iso(day1), to: iso(today) }, { key: KEY.billing });
            const hourRows = hourly.body.rows;
            assert.equal(hourRows.length, 5, JSON.stringify(hourRows));
            assert.equal(hourRows.reduce((s, r) => s + BigInt(r.cost_micros), 0n), 116n);
            assert.equal(hourRows.reduce((s, r) => s + r.impressions, 0), 4);
        });
    });
});
//# sourceMappingURL=http-api.test.js.map