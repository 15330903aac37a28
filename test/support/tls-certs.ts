import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface TestCertificates {
  readonly dir: string;
  /** The self-signed CA a client must trust. */
  readonly caFile: string;
  /** A server certificate for 127.0.0.1 and localhost, signed by the CA, and its key. */
  readonly certFile: string;
  readonly keyFile: string;
  /** A CA that signed nothing here: trusting it alone must fail. */
  readonly otherCaFile: string;
  remove(): Promise<void>;
}

/** Makes a throwaway CA and a server certificate with openssl, for TLS tests. */
export async function makeTestCertificates(): Promise<TestCertificates> {
  const dir = await mkdtemp(join(tmpdir(), 'adgate-tls-'));
  const at = (name: string) => join(dir, name);
  const openssl = (...args: string[]) => run('openssl', args, { cwd: dir });
  const selfSigned = (name: string) =>
    openssl(
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '2',
      '-subj',
      `/CN=${name}`,
      '-keyout',
      at(`${name}.key`),
      '-out',
      at(`${name}.pem`),
    );
  await selfSigned('adgate-test-ca');
  await selfSigned('adgate-other-ca');
  await writeFile(at('san.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  await openssl(
    'req',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-subj',
    '/CN=127.0.0.1',
    '-keyout',
    at('server.key'),
    '-out',
    at('server.csr'),
  );
  await openssl(
    'x509',
    '-req',
    '-in',
    at('server.csr'),
    '-CA',
    at('adgate-test-ca.pem'),
    '-CAkey',
    at('adgate-test-ca.key'),
    '-CAcreateserial',
    '-days',
    '2',
    '-extfile',
    at('san.ext'),
    '-out',
    at('server.pem'),
  );
  return {
    dir,
    caFile: at('adgate-test-ca.pem'),
    certFile: at('server.pem'),
    keyFile: at('server.key'),
    otherCaFile: at('adgate-other-ca.pem'),
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}
