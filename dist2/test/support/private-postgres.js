import { execFile } from 'node:child_process';
import { chmod, chown, copyFile, mkdtemp, readdir, readFile, rm, writeFile, } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from '../../testkit/gateway-process.js';
const run = promisify(execFile);
const PG_ROOT = '/usr/lib/postgresql';
const OS_USER = 'postgres'; // initdb and postgres refuse to run as root
/** The newest installed PostgreSQL's bin folder. */
async function pgBin() {
    const versions = (await readdir(PG_ROOT))
        .filter((v) => /^\d+$/.test(v))
        .sort((a, b) => Number(b) - Number(a));
    const newest = versions[0];
    if (newest === undefined)
        throw new Error(`no PostgreSQL under ${PG_ROOT}`);
    return join(PG_ROOT, newest, 'bin');
}
export async function startPrivatePostgres(options = {}) {
    const bin = await pgBin();
    const port = await freePort();
    const dataDir = await mkdtemp(join(tmpdir(), 'adgate-pg-'));
    const logFile = join(dataDir, 'server.log');
    const { uid, gid } = await userIds(OS_USER);
    await chown(dataDir, uid, gid);
    const asPostgres = (tool, args, timeoutMs = 60_000) => run('runuser', ['-u', OS_USER, '--', join(bin, tool), ...args], {
        timeout: timeoutMs,
        cwd: dataDir,
    });
    const pgCtl = (action, ...args) => asPostgres('pg_ctl', [
        action,
        '-D',
        dataDir,
        '-l',
        logFile,
        '-o',
        `-p ${port} -k ${dataDir} -c listen_addresses=127.0.0.1${options.tls === undefined ? '' : ' -c ssl=on -c ssl_cert_file=server.pem -c ssl_key_file=server.key'}`,
        '-w',
        '-t',
        '60',
        ...args,
    ]);
    let destroyed = false;
    const cluster = {
        port,
        adminUrl: `postgres://${OS_USER}@127.0.0.1:${port}/postgres`,
        dataDir,
        async restart() {
            await pgCtl('restart', '-m', 'fast');
        },
        async stop() {
            await pgCtl('stop', '-m', 'fast');
        },
        async start() {
            if (!(await cluster.running()))
                await pgCtl('start');
        },
        // pg_ctl status exits 0 while the server runs, 3 when it does not.
        running: () => asPostgres('pg_ctl', ['status', '-D', dataDir]).then(() => true, () => false),
        async destroy() {
            if (destroyed)
                return;
            destroyed = true;
            try {
                await pgCtl('stop', '-m', 'immediate').catch(() => undefined);
            }
            finally {
                await rm(dataDir, { recursive: true, force: true });
            }
        },
        log: () => readFile(logFile, 'utf8').catch(() => ''),
    };
    try {
        // --no-sync: a throwaway cluster need not wait for its files to reach the disk.
        await asPostgres('initdb', [
            '-D',
            dataDir,
            '--auth=trust',
            '-U',
            OS_USER,
            '--no-sync',
            '-E',
            'UTF8',
        ]);
        await configure(dataDir, options, { uid, gid });
        await cluster.start();
    }
    catch (error) {
        await cluster.destroy();
        throw error;
    }
    return cluster;
}
/** Puts the TLS files and pg_hba.conf in place, owned by the server's user. */
async function configure(dataDir, options, owner) {
    const place = async (name, write) => {
        const path = join(dataDir, name);
        await write(path);
        await chown(path, owner.uid, owner.gid);
        await chmod(path, 0o600); // PostgreSQL refuses a key others can read
    };
    if (options.tls !== undefined) {
        const { certFile, keyFile } = options.tls;
        await place('server.pem', (path) => copyFile(certFile, path));
        await place('server.key', (path) => copyFile(keyFile, path));
    }
    const { hba } = options;
    if (hba !== undefined)
        await place('pg_hba.conf', (path) => writeFile(path, hba));
}
async function userIds(name) {
    const { stdout } = await run('id', ['-u', name]);
    const { stdout: group } = await run('id', ['-g', name]);
    return { uid: Number(stdout.trim()), gid: Number(group.trim()) };
}
//# sourceMappingURL=private-postgres.js.map