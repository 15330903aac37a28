import { userInfo } from 'node:os';
import pg from 'pg';
import { migrate } from '../../src/store/migrate.js';
import { createLogger } from '../../src/telemetry/logger.js';
import { uniqueName } from './names.js';

// The local stack of scripts/stack.sh; the test command starts it first.
export const KAFKA_BROKERS = process.env.TEST_KAFKA_BROKERS ?? '127.0.0.1:9092';
export const PG_ADMIN_URL =
  process.env.TEST_PG_ADMIN_URL ?? `postgres://${userInfo().username}@127.0.0.1:5432/postgres`;
export const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

export const quietLog = createLogger('error');

export interface TestDatabase {
  readonly url: string;
  readonly pool: pg.Pool;
  drop(): Promise<void>;
}

/**
 * A fresh database of its own for one test file, migrated unless
 * `migrate: false` (for the tests of the migrations themselves); on the
 * shared cluster unless `adminUrl` names another (a test's private one).
 */
export async function createTestDatabase(
  options: { migrate?: boolean; adminUrl?: string } = {},
): Promise<TestDatabase> {
  const adminUrl = options.adminUrl ?? PG_ADMIN_URL;
  const name = uniqueName('adgate_t').toLowerCase();
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = adminUrl.replace(/\/[^/]*$/, `/${name}`);
  if (options.migrate ?? true) await migrate(url, quietLog);
  const pool = new pg.Pool({ connectionString: url, max: 3 });
  pool.on('error', () => undefined); // PostgreSQL restarts in some tests
  return {
    url,
    pool,
    async drop() {
      await pool.end();
      const a = new pg.Client({ connectionString: adminUrl });
      await a.connect();
      await a.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await a.end();
    },
  };
}
