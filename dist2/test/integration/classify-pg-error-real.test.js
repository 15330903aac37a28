import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { classifyPgError } from '../../src/store/classify-pg-error.js';
import { freePort } from '../../testkit/gateway-process.js';
import { within } from '../../testkit/wait-for.js';
import { createTestDatabase } from '../support/services.js';
// The SQLSTATE table applied to errors a real PostgreSQL sends (not built
// by hand): pg hands them over as DatabaseError, on connect as on query.
describe('classifyPgError on real PostgreSQL errors', () => {
    let db;
    before(async () => {
        db = await createTestDatabase();
    });
    after(async () => {
        await within(60_000, 'database drop', db?.drop() ?? Promise.resolve());
    });
    /** Runs `sql` on a client of its own (session settings stay there). */
    async function failureOf(sql, url = db.url) {
        const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
        client.on('error', () => undefined);
        try {
            await client.connect();
            await client.query(sql);
        }
        catch (raw) {
            return { code: raw.code, reason: classifyPgError(raw).reason };
        }
        finally {
            await client.end().catch(() => undefined);
        }
        throw new Error(`${sql} did not fail`);
    }
    const cases = [
        ['an undefined table', 'SELECT * FROM no_such_table', '42P01', 'postgres_rejected'],
        [
            'a privilege the role lacks',
            'SET ROLE adgate_billing; SELECT * FROM sink_offsets',
            '42501',
            'postgres_rejected',
        ],
        ['a syntax error', 'SELEC 1', '42601', 'postgres_rejected'],
        ['year 0', "SELECT '0000-01-01T00:00:00Z'::timestamptz", '22008', 'write_failed'],
        ['an integer overflow', 'SELECT 2147483647::int + 1', '22003', 'write_failed'],
        [
            'a statement timeout',
            'SET statement_timeout = 1; SELECT pg_sleep(5)',
            '57014',
            'postgres_unavailable',
        ],
    ];
    for (const [what, sql, code, reason] of cases) {
        it(`${what}: ${code} is ${reason}`, async () => {
            assert.deepEqual(await failureOf(sql), { code, reason });
        });
    }
    it('a database that does not exist (3D000, on connect): postgres_rejected', async () => {
        const url = db.url.replace(/\/[^/]*$/, '/adgate_no_such_database');
        assert.deepEqual(await failureOf('SELECT 1', url), {
            code: '3D000',
            reason: 'postgres_rejected',
        });
    });
    it('a connection refused (no SQLSTATE): postgres_unavailable', async () => {
        const url = `postgres://127.0.0.1:${await freePort()}/adgate`;
        assert.deepEqual(await failureOf('SELECT 1', url), {
            code: 'ECONNREFUSED',
            reason: 'postgres_unavailable',
        });
    });
});
//# sourceMappingURL=classify-pg-error-real.test.js.map