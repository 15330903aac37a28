import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
const run = promisify(execFile);
/** Makes a throwaway CA and a server certificate with openssl, for TLS tests. */
export async function makeTestCertificates() {
    const dir = await mkdtemp(join(tmpdir(), 'adgate-tls-'));
    const at = (name) => join(dir, name);
    const openssl = (...args) => run('openssl', args, { cwd: dir });
    const selfSigned = (name) => openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', `/CN=${name}`, '-keyout', at(`${name}.key`), '-out', at(`${name}.pem`));
    await selfSigned('adgate-test-ca');
    await selfSigned('adgate-other-ca');
    await writeFile(at('san.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
    await openssl('req', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=127.0.0.1', '-keyout', at('server.key'), '-out', at('server.csr'));
    await openssl('x509', '-req', '-in', at('server.csr'), '-CA', at('adgate-test-ca.pem'), '-CAkey', at('adgate-test-ca.key'), '-CAcreateserial', '-days', '2', '-extfile', at('san.ext'), '-out', at('server.pem'));
    return {
        dir,
        caFile: at('adgate-test-ca.pem'),
        certFile: at('server.pem'),
        keyFile: at('server.key'),
        otherCaFile: at('adgate-other-ca.pem'),
        remove: () => rm(dir, { recursive: true, force: true }),
    };
}
//# sourceMappingURL=tls-certs.js.map