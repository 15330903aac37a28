import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { after, describe, it } from 'node:test';
import pg from 'pg';
import { findMigrationsDir, MIGRATION_LOCK_ID } from '../../src/store/migrate.js';
import { runAdgate } from '../../testkit/gateway-process.js';
import { waitFor, within } from '../../testkit/wait-for.js';
import { createTestDatabase } from '../support/services.js';
const FILES = readdirSync(findMigrationsDir())
    .filter((f) => /^\d{4}_[a-z0-9_]+\.sql$/.test(f))
    .sort();
// What migrations/ creates (SPEC §5) and the sink relies on.
const OBJECTS = [
    'schema_migrations',
    'event_keys',
    'ad_events',
    'billing_hourly',
    'billing_daily',
    'sink_offsets',
];
function show(result) {
    return `exit ${result.code}\n--- stdout ---\n${result.stdout}\n--- stderr ---\n${result.stderr}`;
}
/** The files a run reports as applied, from its JSON log lines. */
function appliedBy(result) {
    return result.stdout
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line))
        .filter((entry) => entry.msg === 'migration applied')
        .map((entry) => entry.file);
}
function migrateCli(db) {
    return runAdgate(['migrate'], { ADGATE_DATABASE_URL: db.url, ADGATE_LOG_LEVEL: 'info' }, 60_000);
}
async function schemaMigrations(db) {
    const { rows } = await db.pool.query('SELECT version, name, applied_at FROM schema_migrations ORDER BY version');
    return rows;
}
async function assertSchemaComplete(db) {
    const rows = await schemaMigrations(db);
    assert.deepEqual(rows.map((r) => ({ version: r.version, name: r.name })), FILES.map((f) => ({ version: Number(f.slice(0, 4)), name: f })), 'one schema_migrations row per file in migrations/');
    for (const name of OBJECTS) {
        const { rows: found } = await db.pool.query('SELECT to_regclass($1)::text AS oid', [name]);
        assert.equal(found[0]?.oid, name, `${name} exists`);
    }
    const fn = await db.pool.query("SELECT 1 FROM pg_proc WHERE proname = 'adgate_ensure_day_partition'");
    assert.equal(fn.rowCount, 1, 'adgate_ensure_day_partition exists once');
}
describe('adgate migrate', () => {
    const databases = [];
    after(async () => {
        for (const db of databases)
            await within(30_000, 'drop test database', db.drop());
    });
    async function freshDatabase() {
        const db = await createTestDatabase({ migrate: false });
        databases.push(db);
        const { rows } = await db.pool.query("SELECT to_regclass('schema_migrations')::text AS t");
        assert.equal(rows[0]?.t, null, 'the database starts unmigrated');
        return db;
    }
    it('applies every file once; a second run applies nothing', async () => {
        assert.ok(FILES.length > 0, 'migrations/ holds SQL files');
        const db = await freshDatabase();
        const first = await migrateCli(db);
        assert.equal(first.code, 0, show(first));
        assert.deepEqual(appliedBy(first), FILES, show(first));
        await assertSchemaComplete(db);
        const before = await schemaMigrations(db);
        const second = await migrateCli(db);
        assert.equal(second.code, 0, show(second));
        assert.deepEqual(appliedBy(second), [], show(second));
        assert.match(second.stdout, new RegExp(`"msg":"migrations done","applied":\\[\\],"alreadyApplied":${FILES.length}`), show(second));
        assert.deepEqual(await schemaMigrations(db), before, 'the second run changed nothing');
        await assertSchemaComplete(db);
    });
    it('two processes migrating one fresh database at the same moment both succeed, each file applied once', async () => {
        const db = await freshDatabase();
        const dbName = new URL(db.url).pathname.slice(1);
        // Hold the migration lock so that both processes are provably waiting
        // on it at once; releasing it makes them race for it.
        const holder = new pg.Client({ connectionString: db.url });
        await holder.connect();
        let runs;
        try {
            await holder.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_ID]);
            runs = Promise.all([migrateCli(db), migrateCli(db)]);
            await waitFor('both migrate processes to wait on the migration lock', async () => {
                const { rows } = await holder.query(`SELECT count(*)::int AS n FROM pg_stat_activity
             WHERE datname = $1 AND application_name = 'adgate-migrate' AND wait_event_type = 'Lock'`, [dbName]);
                return rows[0]?.n === 2;
            }, 30_000, 50);
            await holder.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_ID]);
        }
        catch (error) {
            // Ending the session releases the lock: let the processes finish first.
            await holder.end();
            await runs?.catch(() => undefined);
            throw error;
        }
        await holder.end();
        const results = await runs;
        for (const result of results)
            assert.equal(result.code, 0, show(result));
        const applied = results.flatMap(appliedBy).sort();
        assert.deepEqual(applied, FILES, 'each file applied by exactly one of the two');
        await assertSchemaComplete(db);
    });
});
//# sourceMappingURL=migrations.test.js.map