import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { changesQuerySchema, queryChanges } from '../../src/billing/query-changes.js';
import { within } from '../../testkit/wait-for.js';
import { writeTestEvents } from '../support/event-rows.js';
import { impression } from '../support/events.js';
import { uniqueName } from '../support/names.js';
import { createTestDatabase, PG_ADMIN_URL } from '../support/services.js';
const INSUFFICIENT_PRIVILEGE = '42501';
function asRole(url, role) {
    const u = new URL(url);
    u.username = role;
    u.password = '';
    return u.toString();
}
async function adminQuery(sql) {
    const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
    await admin.connect();
    try {
        await admin.query(sql);
    }
    finally {
        await admin.end();
    }
}
describe('the read-only role adgate_billing (SPEC §5)', () => {
    let db;
    // A billing job's login role, as the README tells an operator to create it.
    const invoicer = uniqueName('adgate_t_invoicer').toLowerCase();
    let pool;
    before(async () => {
        db = await createTestDatabase();
        await writeTestEvents(db.pool, [
            impression('role-i1', { campaign_id: 'role-camp', occurred_at: '2026-11-20T10:00:00Z' }),
        ]);
        await adminQuery(`CREATE ROLE ${invoicer} LOGIN; GRANT adgate_billing TO ${invoicer}`);
        pool = new pg.Pool({ connectionString: asRole(db.url, invoicer), max: 1 });
    });
    after(async () => {
        await within(10_000, 'close the invoicer pool', pool.end());
        await adminQuery(`DROP ROLE IF EXISTS ${invoicer}`);
        await within(30_000, 'drop test database', db.drop());
    });
    async function refused(sql) {
        await assert.rejects(pool.query(sql), (error) => {
            assert.equal(error.code, INSUFFICIENT_PRIVILEGE, `${sql}: ${String(error)}`);
            return true;
        });
    }
    it('reads billing_hourly and billing_daily, and the change feed', async () => {
        const { rows: current } = await pool.query('SELECT current_user');
        assert.equal(current[0]?.current_user, invoicer, 'connected as the login role itself');
        const hourly = await pool.query("SELECT impressions FROM billing_hourly WHERE campaign_id = 'role-camp'");
        assert.deepEqual(hourly.rows, [{ impressions: '1' }]);
        const daily = await pool.query("SELECT impressions FROM billing_daily WHERE campaign_id = 'role-camp'");
        assert.deepEqual(daily.rows, [{ impressions: '1' }]);
        const page = await queryChanges(pool, changesQuerySchema.parse({ campaign_id: 'role-camp', since: '2000-01-01T00:00:00Z' }));
        assert.equal(page.rows.length <= 1, true, 'the feed runs with these privileges alone');
    });
    it('cannot read ad_events, event_keys, sink_offsets or schema_migrations', async () => {
        for (const table of ['ad_events', 'event_keys', 'sink_offsets', 'schema_migrations']) {
            await refused(`SELECT 1 FROM ${table} LIMIT 1`);
        }
    });
    it('cannot write billing_hourly, nor create anything in the schema', async () => {
        await refused(`INSERT INTO billing_hourly (hour, campaign_id, ad_id, publisher_id, currency)
       VALUES ('2026-11-20T11:00:00Z', 'role-camp', 'a', 'p', 'USD')`);
        await refused('UPDATE billing_hourly SET impressions = impressions + 1');
        await refused('DELETE FROM billing_hourly');
        await refused('TRUNCATE billing_hourly');
        await refused('CREATE TABLE role_probe (x int)');
        const { rows } = await db.pool.query("SELECT impressions FROM billing_hourly WHERE campaign_id = 'role-camp'");
        assert.deepEqual(rows, [{ impressions: '1' }], 'the sums are untouched');
    });
    it('cannot log in as adgate_billing itself', async () => {
        const client = new pg.Client({ connectionString: asRole(db.url, 'adgate_billing') });
        client.on('error', () => undefined);
        await assert.rejects(client.connect(), (error) => {
            assert.equal(error.code, '28000', String(error)); // role is not permitted to log in
            return true;
        });
        await client.end().catch(() => undefined);
    });
});
//# sourceMappingURL=billing-role.test.js.map