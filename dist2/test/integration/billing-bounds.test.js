import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { loadConfig } from '../../src/config/load-config.js';
import { createApp } from '../../src/ingress-http/create-app.js';
import { Lifecycle } from '../../src/lifecycle/lifecycle-state.js';
import { createLogger } from '../../src/telemetry/logger.js';
import { createMetrics } from '../../src/telemetry/metrics.js';
import { freePort } from '../../testkit/gateway-process.js';
import { within } from '../../testkit/wait-for.js';
import { DEV_KEY } from '../support/events.js';
import { uniqueName } from '../support/names.js';
import { createTestDatabase } from '../support/services.js';
// SPEC §3: `from` and `to` lie on the bucket's boundaries (whole UTC hours,
// whole UTC days) and in the years 1970..9999; anything else is a 400 that
// names the rule, never an empty answer or a 5xx. And a 503 only for a
// failure that a retry may fix.
const HOUR_MS = 3600_000;
const DAY_MS = 24 * HOUR_MS;
const iso = (ms) => new Date(ms).toISOString();
/** The app of createApp on a pool of its own, answering in-process. */
function billingApp(pool) {
    const metrics = createMetrics();
    const lines = [];
    const log = createLogger('debug', {}, (line) => {
        lines.push(JSON.parse(line));
    });
    const lifecycle = new Lifecycle();
    lifecycle.moveTo('ready');
    const app = createApp({
        config: loadConfig({}),
        pool,
        lifecycle,
        metrics,
        log,
        requestDrain: () => undefined,
    });
    return { app, metrics, lines };
}
async function get(app, path, query) {
    const url = new URL(path, 'http://adgate.test');
    for (const [k, v] of Object.entries(query))
        url.searchParams.set(k, v);
    const res = await app.request(url, { headers: { authorization: `Bearer ${DEV_KEY}` } });
    return { status: res.status, body: (await res.json()), headers: res.headers };
}
describe('billing query bounds (SPEC §3)', () => {
    let db;
    let app;
    let metrics;
    const campaign = uniqueName('bounds');
    const day = Date.UTC(2026, 2, 10);
    before(async () => {
        db = await createTestDatabase();
        ({ app, metrics } = billingApp(db.pool));
        await db.pool.query(`INSERT INTO billing_hourly (hour, campaign_id, ad_id, publisher_id, currency, impressions, cost_micros)
       VALUES ($1, $2, 'a1', 'p1', 'USD', 3, 30)`, [iso(day + 12 * HOUR_MS), campaign]);
    });
    after(async () => {
        await within(30_000, 'metrics shutdown', metrics?.shutdown() ?? Promise.resolve());
        await within(60_000, 'database drop', db?.drop() ?? Promise.resolve());
    });
    /** Asserts a 400 whose issue at `path` names the rule matched by `rule`. */
    function assertRule(answer, path, rule, what) {
        const shown = `${what}: ${answer.status} ${JSON.stringify(answer.body)}`;
        assert.equal(answer.status, 400, shown);
        assert.ok(answer.body.issues?.some((i) => i.path === path && rule.test(i.message)), shown);
    }
    it('400 naming the years rule for bounds before 1970 or past 9999 (once answered 503)', async () => {
        const cases = [
            ['year 0', { from: '0000-01-01T00:00:00Z', to: '0000-01-02T00:00:00Z' }, 'from'],
            // Year 1 moved into year 0 by its offset (PostgreSQL: 22008/22009).
            [
                'an offset into year 0',
                { from: '0001-01-01T00:00:00+01:00', to: '0001-01-02T00:00:00Z' },
                'from',
            ],
            ['before 1970', { from: '1969-12-31T00:00:00Z', to: '1970-01-01T00:00:00Z' }, 'from'],
            // 9999-12-31T23:00-05:00 is 10000-01-01T04:00Z.
            ['past year 9999', { from: '9999-12-31T00:00:00Z', to: '9999-12-31T23:00:00-05:00' }, 'to'],
        ];
        for (const [what, bounds, path] of cases) {
            for (const granularity of ['hourly', 'daily']) {
                const answer = await get(app, `/v1/billing/${granularity}`, {
                    ...bounds,
                    campaign_id: campaign,
                });
                assertRule(answer, path, /years 1970\.\.9999/, `${granularity}, ${what}`);
            }
        }
    });
    it('hourly: 400 naming the whole-hour rule for a bound inside an hour', async () => {
        const cases = [
            ['from at :30', { from: iso(day + 30 * 60_000), to: iso(day + HOUR_MS) }, 'from'],
            ['to one ms past the hour', { from: iso(day), to: iso(day + HOUR_MS + 1) }, 'to'],
            ['a half-hour offset', { from: '2026-03-10T05:00:00+05:30', to: iso(day + HOUR_MS) }, 'from'],
            [
                'a microsecond past',
                { from: '2026-03-10T00:00:00.000001Z', to: iso(day + HOUR_MS) },
                'from',
            ],
        ];
        for (const [what, bounds, path] of cases) {
            const answer = await get(app, '/v1/billing/hourly', { ...bounds, campaign_id: campaign });
            assertRule(answer, path, /whole UTC hour/, what);
        }
        // Whole hours written with an offset are on the boundary.
        const ok = await get(app, '/v1/billing/hourly', {
            from: '2026-03-10T13:00:00+01:00',
            to: iso(day + 13 * HOUR_MS),
            campaign_id: campaign,
        });
        assert.equal(ok.status, 200, JSON.stringify(ok.body));
        assert.equal(ok.body.rows?.length, 1);
    });
    it('daily: 400 naming the whole-day rule where bounds inside a day once answered nothing', async () => {
        // The day holds a row at 12:00; from 01:00 to 23:00 used to answer [].
        const cases = [
            ['inside one day', { from: iso(day + HOUR_MS), to: iso(day + 23 * HOUR_MS) }, 'from'],
            ['to inside a day', { from: iso(day), to: iso(day + 36 * HOUR_MS) }, 'to'],
            [
                'a whole hour, not a day',
                { from: iso(day - DAY_MS + HOUR_MS), to: iso(day + DAY_MS) },
                'from',
            ],
        ];
        for (const [what, bounds, path] of cases) {
            const answer = await get(app, '/v1/billing/daily', { ...bounds, campaign_id: campaign });
            assertRule(answer, path, /whole UTC day/, what);
        }
        const ok = await get(app, '/v1/billing/daily', {
            from: iso(day),
            to: '2026-03-11T02:00:00+02:00', // midnight UTC, written with an offset
            campaign_id: campaign,
        });
        assert.equal(ok.status, 200, JSON.stringify(ok.body));
        assert.deepEqual(ok.body.rows.map((r) => [
            r.bucket,
            r.impressions,
        ]), [[iso(day), 3]]);
    });
});
describe('billing query failures: 503 only when a retry may help (SPEC §3)', () => {
    it('500, logged at error, when PostgreSQL refuses the query itself (a missing table)', async () => {
        const db = await createTestDatabase();
        const { app, metrics, lines } = billingApp(db.pool);
        try {
            await db.pool.query('ALTER TABLE billing_hourly RENAME TO billing_hourly_gone');
            const answer = await get(app, '/v1/billing/hourly', {
                from: iso(Date.UTC(2026, 0, 1)),
                to: iso(Date.UTC(2026, 0, 2)),
                campaign_id: 'c',
            });
            assert.equal(answer.status, 500, JSON.stringify(answer.body));
            assert.equal(answer.headers.get('retry-after'), null);
            assert.equal(answer.body.reason, 'postgres_rejected');
            assert.ok(lines.some((l) => l.level === 'error' && l.msg === 'billing query failed'), JSON.stringify(lines));
        }
        finally {
            await within(30_000, 'metrics shutdown', metrics.shutdown());
            await within(60_000, 'database drop', db.drop());
        }
    });
    it('503 with Retry-After when PostgreSQL cannot be reached', async () => {
        // A port nothing listens on: connection refused, a passing failure.
        const pool = new pg.Pool({
            connectionString: `postgres://127.0.0.1:${await freePort()}/adgate`,
            connectionTimeoutMillis: 2_000,
        });
        const { app, metrics, lines } = billingApp(pool);
        try {
            const answer = await get(app, '/v1/billing/daily', {
                from: iso(Date.UTC(2026, 0, 1)),
                to: iso(Date.UTC(2026, 0, 2)),
                campaign_id: 'c',
            });
            assert.equal(answer.status, 503, JSON.stringify(answer.body));
            assert.equal(answer.headers.get('retry-after'), '1');
            assert.equal(answer.body.reason, 'postgres_unavailable');
            assert.ok(!lines.some((l) => l.level === 'error'), JSON.stringify(lines));
        }
        finally {
            await within(30_000, 'metrics shutdown', metrics.shutdown());
            await within(30_000, 'pool end', pool.end());
        }
    });
});
//# sourceMappingURL=billing-bounds.test.js.map