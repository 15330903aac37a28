import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { Redis } from 'ioredis';
import { freePort } from '../../testkit/gateway-process.js';
import { waitFor, within } from '../../testkit/wait-for.js';

/**
 * A redis-server of one test's own, on a port of its own, so that the test
 * can FLUSHALL or stop it without touching the shared Redis that other
 * tests (and other engineers' runs) use.
 */
export interface PrivateRedis {
  readonly port: number;
  readonly url: string;
  /** Whether the server process is running now. */
  running(): boolean;
  /** Runs one command on a short-lived connection. */
  command(name: string, ...args: (string | number)[]): Promise<unknown>;
  /** Stops the server with `signal` and waits (bounded) for it to exit. */
  stop(signal?: NodeJS.Signals): Promise<void>;
  /** Starts it again on the same port (empty: no persistence). */
  start(): Promise<void>;
  /** Everything the server printed, for failure reports. */
  output(): string;
}

export interface PrivateRedisOptions {
  /** Serve TLS only (no plain port), with this certificate, key and CA. */
  readonly tls?: { readonly certFile: string; readonly keyFile: string; readonly caFile: string };
  /** requirepass: clients must AUTH with it. */
  readonly password?: string;
}

export async function startPrivateRedis(options: PrivateRedisOptions = {}): Promise<PrivateRedis> {
  const port = await freePort();
  const { tls, password } = options;
  const auth = password === undefined ? '' : `:${encodeURIComponent(password)}@`;
  const url = `${tls === undefined ? 'redis' : 'rediss'}://${auth}127.0.0.1:${port}`;
  const serverArgs = [
    ...(tls === undefined
      ? ['--port', String(port)]
      : [
          '--port',
          '0',
          '--tls-port',
          String(port),
          '--tls-cert-file',
          tls.certFile,
          '--tls-key-file',
          tls.keyFile,
          '--tls-ca-cert-file',
          tls.caFile,
          '--tls-auth-clients',
          'no',
        ]),
    ...(password === undefined ? [] : ['--requirepass', password]),
  ];
  let child: ChildProcess | undefined;
  let exit: Promise<void> = Promise.resolve();
  let output = '';

  const command = async (name: string, ...args: (string | number)[]) => {
    const client = new Redis(port, '127.0.0.1', {
      ...(tls === undefined ? {} : { tls: { ca: readFileSync(tls.caFile) } }),
      ...(password === undefined ? {} : { password }),
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    client.on('error', () => undefined);
    try {
      await within(5_000, 'redis connect', client.connect());
      return await within(5_000, `redis ${name}`, client.call(name, ...args));
    } finally {
      client.disconnect();
    }
  };

  const redis: PrivateRedis = {
    port,
    url,
    running: () => child !== undefined && child.exitCode === null && child.signalCode === null,
    command,
    async start() {
      if (redis.running()) return;
      const started = spawn(
        'redis-server',
        [...serverArgs, '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      );
      child = started;
      started.stdout?.on('data', (d: Buffer) => {
        output += d.toString();
      });
      started.stderr?.on('data', (d: Buffer) => {
        output += d.toString();
      });
      exit = new Promise((resolve) => started.once('exit', () => resolve()));
      await waitFor(
        `private redis-server on :${port}`,
        async () => {
          if (!redis.running()) throw new Error(`redis-server exited:\n${output.slice(-2000)}`);
          return (await command('PING')) === 'PONG';
        },
        30_000,
        100,
      );
    },
    async stop(signal = 'SIGTERM') {
      if (!redis.running()) return;
      child?.kill(signal);
      try {
        await within(15_000, `redis-server exit after ${signal}`, exit);
      } catch (error) {
        child?.kill('SIGKILL');
        await within(5_000, 'redis-server exit after SIGKILL', exit);
        throw error;
      }
    },
    output: () => output,
  };
  await redis.start();
  return redis;
}
