import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { startGatewayProcess } from '../../testkit/gateway-process.js';
import { within } from '../../testkit/wait-for.js';
import { impression, postEvents } from '../support/events.js';
import { createTestPipeline, waitAllCommitted } from '../support/pipeline.js';
import { startPrivatePostgres } from '../support/private-postgres.js';
import { makeTestCertificates } from '../support/tls-certs.js';
// issue 14: PostgreSQL over TLS with credentials, the URL read from a file
// as a container mounts it. The private cluster admits the gateway's role
// only over TLS and with its password; the gateway must verify the server
// against the CA it is given.
const ROLE = 'adgate_tls';
const PASSWORD = 'tls-test-pw-5f1c9a';
const DATABASE = 'adgate_tls_db';
const HBA = [
    'local all all trust',
    `hostssl all ${ROLE} 127.0.0.1/32 scram-sha-256`,
    `host all ${ROLE} 127.0.0.1/32 reject`,
    'host all postgres 127.0.0.1/32 trust',
].join('\n');
describe('PostgreSQL over TLS with credentials from a file (issue 14)', () => {
    let certs;
    let cluster;
    let pipeline;
    let admin;
    const urlFile = async (name, query) => {
        const file = join(certs.dir, name);
        const url = `postgres://${ROLE}:${PASSWORD}@127.0.0.1:${cluster.port}/${DATABASE}?${query}`;
        await writeFile(file, `${url}\n`);
        const { ADGATE_DATABASE_URL: _, ...env } = pipeline.env;
        return { ...env, ADGATE_DATABASE_URL_FILE: file };
    };
    before(async () => {
        certs = await makeTestCertificates();
        cluster = await startPrivatePostgres({ tls: certs, hba: HBA });
        pipeline = await createTestPipeline({ pgAdminUrl: cluster.adminUrl });
        admin = new pg.Client({ connectionString: cluster.adminUrl });
        await admin.connect();
        await admin.query(`CREATE ROLE ${ROLE} LOGIN PASSWORD '${PASSWORD}'`);
        // Migration 0002 grants to adgate_billing, which the gateway's role may
        // not create: roles are cluster-wide, and the pipeline's own database,
        // migrated by the superuser above, has created it already.
        await admin.query(`CREATE DATABASE ${DATABASE} OWNER ${ROLE}`);
    });
    after(async () => {
        await admin?.end().catch(() => undefined);
        await pipeline?.cleanup().catch(() => undefined);
        await cluster?.destroy();
        await certs?.remove();
    });
    it('lands events over a verified TLS connection, and never logs the password', async () => {
        const env = await urlFile('url', `sslmode=verify-full&sslrootcert=${certs.caFile}`);
        const gateway = await startGatewayProcess(env);
        try {
            const response = await postEvents(gateway.url, [impression(`tls-${Date.now()}`)]);
            assert.equal(response.status, 202);
            await waitAllCommitted(pipeline, gateway.output);
            const db = new pg.Client({
                connectionString: cluster.adminUrl.replace(/\/postgres$/, `/${DATABASE}`),
            });
            await db.connect();
            try {
                assert.equal((await db.query('SELECT count(*)::int AS n FROM ad_events')).rows[0].n, 1);
                const { rows } = await db.query(`SELECT count(*)::int AS n, bool_and(s.ssl) AS all_tls FROM pg_stat_ssl s
           JOIN pg_stat_activity a USING (pid) WHERE a.usename = $1`, [ROLE]);
                assert.ok(rows[0].n > 0, 'the gateway holds connections');
                assert.equal(rows[0].all_tls, true, 'every one of them over TLS');
            }
            finally {
                await db.end();
            }
        }
        finally {
            await gateway.stop('SIGTERM', 30_000);
        }
        assert.doesNotMatch(gateway.output(), new RegExp(PASSWORD));
    });
    it('refuses to start against a server its CA did not sign', async () => {
        const env = await urlFile('wrong-ca', `sslmode=verify-full&sslrootcert=${certs.otherCaFile}`);
        const gateway = await startGatewayProcess(env, { waitReady: false });
        const exit = await within(60_000, 'gateway exit', gateway.exited());
        assert.notEqual(exit.code, 0);
        assert.match(gateway.output(), /certificate/i);
        assert.doesNotMatch(gateway.output(), new RegExp(PASSWORD));
    });
    it('cannot connect without TLS: the server admits the role only over TLS', async () => {
        const env = await urlFile('plain', 'sslmode=disable');
        const gateway = await startGatewayProcess(env, { waitReady: false });
        const exit = await within(60_000, 'gateway exit', gateway.exited());
        assert.notEqual(exit.code, 0);
        assert.match(gateway.output(), /pg_hba\.conf rejects connection/);
    });
});
//# sourceMappingURL=tls-postgres.test.js.map