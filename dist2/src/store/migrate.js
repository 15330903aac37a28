import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { AdgateError } from '../errors/adgate-error.js';
// Any constant will do; it only has to be the same for every instance.
// Exported so that a test can hold it and make instances contend for it.
export const MIGRATION_LOCK_ID = 0x616467617465; // "adgate"
const FILE_PATTERN = /^(\d{4})_([a-z0-9_]+)\.sql$/;
/** The migrations/ folder beside package.json, from src/ or dist/src/ alike. */
export function findMigrationsDir() {
    let dir = dirname(fileURLToPath(import.meta.url));
    for (let i = 0; i < 6; i += 1) {
        const candidate = join(dir, 'migrations');
        if (existsSync(candidate) && existsSync(join(dir, 'package.json')))
            return candidate;
        dir = dirname(dir);
    }
    throw new AdgateError('migration_failed', 'cannot find the migrations/ folder', {
        retriable: false,
    });
}
/**
 * Applies migrations/NNNN_name.sql in order, each in its own transaction,
 * under a session advisory lock so that instances starting together
 * serialise here instead of racing on the catalog.
 */
export async function migrate(connectionString, log, dir = findMigrationsDir()) {
    const files = (await readdir(dir)).filter((f) => FILE_PATTERN.test(f)).sort();
    const client = new pg.Client({ connectionString, application_name: 'adgate-migrate' });
    // Without a listener, a connection dropped mid-migration (PostgreSQL
    // restarting) would crash the process instead of failing the query.
    client.on('error', (error) => log.warn('migration connection lost', { error }));
    await client.connect();
    try {
        await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_ID]);
        await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version integer PRIMARY KEY,
      name text NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now()
    )`);
        const done = new Set((await client.query('SELECT version FROM schema_migrations')).rows.map((r) => r.version));
        const applied = [];
        for (const file of files) {
            const version = Number(FILE_PATTERN.exec(file)?.[1]);
            if (done.has(version))
                continue;
            const sql = await readFile(join(dir, file), 'utf8');
            try {
                await client.query('BEGIN');
                await client.query(sql);
                await client.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [
                    version,
                    file,
                ]);
                await client.query('COMMIT');
            }
            catch (error) {
                await client.query('ROLLBACK').catch(() => undefined);
                throw new AdgateError('migration_failed', `migration ${file} failed: ${String(error)}`, {
                    retriable: false,
                    cause: error,
                });
            }
            log.info('migration applied', { file });
            applied.push(file);
        }
        return { applied, alreadyApplied: done.size };
    }
    finally {
        await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_ID]).catch(() => undefined);
        await client.end();
    }
}
//# sourceMappingURL=migrate.js.map