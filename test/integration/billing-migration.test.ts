import assert from 'node:assert/strict';
import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import pg from 'pg';
import { readBeside } from '../../src/shared/read-beside.js';
import { findMigrationsDir, migrate } from '../../src/store/migrate.js';
import { waitFor, within } from '../../testkit/wait-for.js';
import { startPrivatePostgres } from '../support/private-postgres.js';
import { createTestDatabase, quietLog, type TestDatabase } from '../support/services.js';

const MIGRATION = '0002_billing_restatements.sql';
const CHANGES_SQL = readBeside(import.meta.url, '../../src/billing/sql/changes.sql');

/** A migrations folder holding 0001 only: a database as it was before this change. */
async function migrateTo0001(url: string): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'adgate-0001-'));
  try {
    await copyFile(
      join(findMigrationsDir(), '0001_event_store.sql'),
      join(dir, '0001_event_store.sql'),
    );
    await migrate(url, quietLog, dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function assertBillingSchema(db: TestDatabase): Promise<void> {
  const { rows: columns } = await db.pool.query(
    `SELECT column_name, data_type, is_nullable FROM information_schema.columns
     WHERE table_name = 'billing_hourly' AND column_name IN ('updated_at', 'updated_xid')
     ORDER BY column_name`,
  );
  assert.deepEqual(columns, [
    { column_name: 'updated_at', data_type: 'timestamp with time zone', is_nullable: 'NO' },
    { column_name: 'updated_xid', data_type: 'xid8', is_nullable: 'NO' },
  ]);
  const { rows: indexes } = await db.pool.query(
    `SELECT indexname FROM pg_indexes WHERE tablename = 'billing_hourly' ORDER BY indexname`,
  );
  // Later migrations may add their own (0004: billing_hourly_publisher).
  const names = indexes.map((r) => r.indexname);
  for (const name of ['billing_hourly_changes', 'billing_hourly_pkey']) {
    assert.ok(names.includes(name), `${name} in ${names}`);
  }
  const { rows: role } = await db.pool.query(
    "SELECT rolcanlogin FROM pg_roles WHERE rolname = 'adgate_billing'",
  );
  assert.deepEqual(role, [{ rolcanlogin: false }], 'adgate_billing exists, NOLOGIN');
  const { rows: grants } = await db.pool.query<{ table_name: string; privilege_type: string }>(
    `SELECT table_name, privilege_type FROM information_schema.role_table_grants
     WHERE grantee = 'adgate_billing' ORDER BY table_name, privilege_type`,
  );
  assert.deepEqual(grants, [
    { table_name: 'billing_daily', privilege_type: 'SELECT' },
    { table_name: 'billing_hourly', privilege_type: 'SELECT' },
  ]);
}

describe(`migration ${MIGRATION}`, () => {
  const databases: TestDatabase[] = [];
  after(async () => {
    for (const db of databases) await within(30_000, 'drop test database', db.drop());
  });
  async function database(options: { migrate: boolean }): Promise<TestDatabase> {
    const db = await createTestDatabase(options);
    databases.push(db);
    return db;
  }

  it('on a fresh database: the columns, the feed indexes, the role and its grants', async () => {
    await assertBillingSchema(await database({ migrate: true }));
  });

  it('on a database at 0001 with rows: they keep their sums and get the migration time', async () => {
    const db = await database({ migrate: false });
    await migrateTo0001(db.url);
    await db.pool.query(
      `INSERT INTO billing_hourly (hour, campaign_id, ad_id, publisher_id, currency, impressions, cost_micros)
       VALUES ('2026-11-01T10:00:00Z', 'c', 'a', 'p', 'USD', 3, 3000),
              ('2026-11-01T11:00:00Z', 'c', 'a', 'p', 'EUR', 5, 5000)`,
    );
    const result = await migrate(db.url, quietLog);
    assert.equal(result.applied[0], MIGRATION, 'the next one applied after 0001');
    await assertBillingSchema(db);
    const { rows } = await db.pool.query(
      `SELECT b.impressions::int, b.cost_micros::text,
              b.updated_at = m.applied_at AS at_migration, b.updated_xid::text
       FROM billing_hourly b, schema_migrations m WHERE m.version = 2 ORDER BY b.hour`,
    );
    assert.equal(rows.length, 2);
    assert.deepEqual(
      rows.map((r) => [r.impressions, r.cost_micros, r.at_migration]),
      [
        [3, '3000', true],
        [5, '5000', true],
      ],
      'the old rows carry the time of the migration',
    );
    assert.equal(rows[0]?.updated_xid, rows[1]?.updated_xid, 'and its transaction');
  });

  it('creating the role while another database of the cluster creates it too', async () => {
    // A private cluster, because the shared one has the role already and
    // other tests depend on it. The first database's creation is held
    // uncommitted, so the second migration must wait on it and then find
    // the role taken: the case of two databases migrating at once.
    const cluster = await startPrivatePostgres();
    try {
      const first = await createTestDatabase({ migrate: false, adminUrl: cluster.adminUrl });
      const second = await createTestDatabase({ migrate: false, adminUrl: cluster.adminUrl });
      const holder = new pg.Client({ connectionString: first.url });
      await holder.connect();
      // Polled from another session: inside the holder's transaction,
      // pg_stat_activity would show its first reading again and again.
      const watcher = new pg.Client({ connectionString: cluster.adminUrl });
      await watcher.connect();
      try {
        await holder.query('BEGIN');
        await holder.query('CREATE ROLE adgate_billing NOLOGIN');
        const migrating = migrate(second.url, quietLog);
        migrating.catch(() => undefined); // awaited below; not unhandled if the wait fails
        await waitFor(
          'the second migration to wait on the uncommitted role',
          async () => {
            const { rows } = await watcher.query(
              "SELECT 1 FROM pg_stat_activity WHERE application_name = 'adgate-migrate' AND wait_event_type = 'Lock'",
            );
            return rows.length === 1;
          },
          30_000,
          50,
        );
        await holder.query('COMMIT');
        assert.deepEqual((await migrating).applied.slice(0, 2), [
          '0001_event_store.sql',
          MIGRATION,
        ]);
      } finally {
        await holder.end();
        await watcher.end();
      }
      await migrate(first.url, quietLog);
      await assertBillingSchema(first);
      await assertBillingSchema(second);
      await first.drop();
      await second.drop();
    } finally {
      await cluster.destroy();
    }
  });

  it('the change feed reads through its indexes (EXPLAIN)', async () => {
    const db = await database({ migrate: true });
    // 200 campaigns x 31 days x 24 hours x 2 ads; each row last changed an
    // hour after its hour, so that "changed since" selects a few rows.
    await db.pool.query(
      `INSERT INTO billing_hourly (hour, campaign_id, ad_id, publisher_id, currency, updated_at)
       SELECT h, 'camp-' || c, 'ad-' || a, 'pub-1', 'USD', h + interval '1 hour'
       FROM generate_series(1, 200) c, generate_series(1, 2) a,
            generate_series('2026-10-01T00:00Z'::timestamptz, '2026-10-31T23:00Z', interval '1 hour') h`,
    );
    await db.pool.query('ANALYZE billing_hourly');
    const plan = async (params: unknown[]) => {
      const { rows } = await db.pool.query(`EXPLAIN (FORMAT JSON) ${CHANGES_SQL}`, params);
      return JSON.stringify(rows[0]?.['QUERY PLAN']);
    };
    const first = await plan(['camp-7', '2026-10-31T12:00:00Z', null, null, null, null, null, 100]);
    assert.match(first, /"Index Name":"billing_hourly_changes"/, first);
    assert.doesNotMatch(first, /Seq Scan|"Sort Key":\["b\./, first);
    const next = await plan([
      'camp-7',
      null,
      '1',
      '2026-10-05T00:00:00Z',
      'ad-1',
      'pub-1',
      'USD',
      100,
    ]);
    assert.match(next, /"Index Name":"billing_hourly_changes"/, next);
    assert.doesNotMatch(next, /Seq Scan|"Sort Key":\["b\./, next);
  });
});
