import assert from 'node:assert/strict';
import { once } from 'node:events';
import { connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import {
  type GatewayProcess,
  runAdgate,
  startGatewayProcess,
} from '../../testkit/gateway-process.js';
import type { CommandResult } from '../../testkit/run-command.js';
import { waitFor, within } from '../../testkit/wait-for.js';
import { createTestPipeline, type TestPipeline } from '../support/pipeline.js';
import { serverHasRead } from '../support/server-has-read.js';

/**
 * A raw connection with a GET whose headers are not finished yet, so that
 * the server counts it as a request in flight, not an idle keep-alive.
 */
async function startPartialRequest(port: number, path: string) {
  const socket = connect(port, '127.0.0.1');
  socket.setEncoding('utf8');
  socket.on('error', () => undefined);
  let received = '';
  socket.on('data', (d: string) => {
    received += d;
  });
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  await within(10_000, 'connect', once(socket, 'connect'));
  socket.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n`);
  return {
    /** Ends the headers; the whole response, or undefined when the server closed instead. */
    async finish(): Promise<string | undefined> {
      if (!socket.destroyed) socket.write('Connection: close\r\n\r\n');
      await within(30_000, 'the answer to the request in flight', closed);
      return received === '' ? undefined : received;
    },
    destroy: () => socket.destroy(),
  };
}

function show(result: CommandResult): string {
  return `exit ${result.code} (signal ${result.signal})\n--- stdout ---\n${result.stdout}\n--- stderr ---\n${result.stderr}`;
}

describe('adgate: configuration errors stop the process and name the variable', () => {
  // Each case must fail in config validation, before any server is
  // contacted. Should one be accepted, these point the start at closed
  // ports instead of the shared stack's defaults (database adgate, topic
  // ad-events, group adgate-sink), so that it fails fast and touches nothing.
  const guard: Record<string, string> = {
    ADGATE_HTTP_HOST: '127.0.0.1',
    ADGATE_HTTP_PORT: '0',
    ADGATE_DATABASE_URL: 'postgres://127.0.0.1:1/adgate_cli_guard',
    ADGATE_KAFKA_BROKERS: '127.0.0.1:1',
    ADGATE_REDIS_URL: 'redis://127.0.0.1:1',
  };
  const cases: { name: string; env: Record<string, string>; variable: string; hidden?: string }[] =
    [
      {
        name: 'a port that is not a number',
        env: { ADGATE_HTTP_PORT: 'abc' },
        variable: 'ADGATE_HTTP_PORT',
      },
      {
        name: 'a port out of range',
        env: { ADGATE_HTTP_PORT: '70000' },
        variable: 'ADGATE_HTTP_PORT',
      },
      {
        name: 'a broker without a port',
        env: { ADGATE_KAFKA_BROKERS: 'nohost' },
        variable: 'ADGATE_KAFKA_BROKERS',
      },
      {
        name: 'an API key entry that is not source:scopes:secret',
        env: { ADGATE_API_KEYS: 'just-a-secret' },
        variable: 'ADGATE_API_KEYS',
        hidden: 'just-a-secret',
      },
      {
        name: 'an API key with an unknown scope',
        env: { ADGATE_API_KEYS: 'ads:ingest+root:topsecret' },
        variable: 'ADGATE_API_KEYS',
        hidden: 'topsecret',
      },
      {
        name: 'a sha256= secret that is not 64 hex digits',
        env: { ADGATE_API_KEYS: 'ads:ingest:sha256=abc123' },
        variable: 'ADGATE_API_KEYS',
        hidden: 'abc123',
      },
      {
        name: 'production without ADGATE_API_KEYS',
        env: { NODE_ENV: 'production' },
        variable: 'ADGATE_API_KEYS',
      },
      {
        name: 'production with an empty ADGATE_API_KEYS',
        env: { NODE_ENV: 'production', ADGATE_API_KEYS: '' },
        variable: 'ADGATE_API_KEYS',
      },
      {
        // A list of separators only holds no key: as empty as an unset one (SPEC §6).
        name: 'production with an ADGATE_API_KEYS of separators only',
        env: { NODE_ENV: 'production', ADGATE_API_KEYS: ' , ,' },
        variable: 'ADGATE_API_KEYS',
      },
    ];

  for (const c of cases) {
    it(`serve exits 1 on ${c.name}`, async () => {
      const result = await runAdgate(['serve'], { ...guard, ...c.env });
      assert.equal(result.code, 1, show(result));
      assert.match(result.stderr, /^adgate: invalid configuration:/, show(result));
      assert.match(result.stderr, new RegExp(`^ +${c.variable}: `, 'm'), show(result));
      assert.doesNotMatch(result.stdout, /adgate ready/, show(result));
      if (c.hidden !== undefined) {
        assert.ok(!result.stderr.includes(c.hidden), `the secret is echoed:\n${show(result)}`);
      }
    });
  }

  it('migrate validates the same way', async () => {
    const result = await runAdgate(['migrate'], { ADGATE_DATABASE_URL: 'mysql://x/y' });
    assert.equal(result.code, 1, show(result));
    assert.match(
      result.stderr,
      /^ +ADGATE_DATABASE_URL: must be a postgres:\/\/ URL/m,
      show(result),
    );
  });
});

describe('adgate: help and unknown commands', () => {
  const helps: { args: string[]; usage: RegExp }[] = [
    { args: ['--help'], usage: /^Usage: adgate <command>/m },
    { args: ['-h'], usage: /^Usage: adgate <command>/m },
    { args: [], usage: /^Usage: adgate <command>/m },
    { args: ['serve', '--help'], usage: /^Usage: adgate serve/m },
    { args: ['migrate', '--help'], usage: /^Usage: adgate migrate/m },
    { args: ['drain', '--help'], usage: /^Usage: adgate drain/m },
    { args: ['stack', '--help'], usage: /^Usage: adgate stack/m },
  ];
  for (const h of helps) {
    it(`adgate ${h.args.join(' ') || '(no arguments)'} exits 0 and prints the usage`, async () => {
      // A bad variable proves that --help needs no valid configuration and starts nothing.
      const result = await runAdgate(h.args, { ADGATE_HTTP_PORT: 'abc' });
      assert.equal(result.code, 0, show(result));
      assert.match(result.stdout, h.usage, show(result));
      assert.equal(result.stderr, '', show(result));
    });
  }

  it('the main usage lists every command', async () => {
    const result = await runAdgate(['--help']);
    for (const command of ['serve', 'migrate', 'drain', 'stack']) {
      assert.match(result.stdout, new RegExp(`^ +${command} `, 'm'), command);
    }
  });

  it('an unknown command exits 2 and names it', async () => {
    const result = await runAdgate(['frobnicate'], {});
    assert.equal(result.code, 2, show(result));
    assert.match(result.stderr, /unknown command "frobnicate"/, show(result));
  });
});

describe('adgate serve: health, readiness, metrics and SIGTERM', () => {
  const DRAIN_TIMEOUT_MS = 20_000;
  let pipeline: TestPipeline;
  let gateway: GatewayProcess;

  before(async () => {
    pipeline = await createTestPipeline();
    gateway = await startGatewayProcess({
      ...pipeline.env,
      ADGATE_DRAIN_TIMEOUT_MS: String(DRAIN_TIMEOUT_MS),
    });
  });
  after(async () => {
    try {
      // A no-op when the test already drained it; SIGKILL past the bound.
      await gateway?.stop('SIGTERM', 60_000);
    } finally {
      if (pipeline) await within(60_000, 'pipeline cleanup', pipeline.cleanup());
    }
  });

  it('answers /healthz and /readyz with 200 while ready', async () => {
    const health = await fetch(`${gateway.url}/healthz`);
    assert.equal(health.status, 200);
    assert.deepEqual(await health.json(), { status: 'alive', state: 'ready' });
    const ready = await fetch(`${gateway.url}/readyz`);
    assert.equal(ready.status, 200);
    assert.deepEqual(await ready.json(), { state: 'ready' });
  });

  it('serves Prometheus text with the adgate_ metrics and the ready state', async () => {
    // /readyz is the HTTP worker's; the instance is ready once every worker is.
    await waitFor('the instance to be ready', async () =>
      (await (await fetch(`${gateway.url}/metrics`)).text()).includes(
        'adgate_lifecycle_state{worker="supervisor",state="ready"} 1',
      ),
    );
    const res = await fetch(`${gateway.url}/metrics`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
    const text = await res.text();
    assert.match(text, /^# TYPE adgate_lifecycle_state gauge$/m, text);
    // One instance of worker processes (src/workers/): the supervisor's
    // state is the instance's, each worker's series carry its name.
    for (const worker of ['supervisor', 'ingress-0', 'sink-0']) {
      const state = (s: string) => `^adgate_lifecycle_state\\{worker="${worker}",state="${s}"\\}`;
      assert.match(text, new RegExp(`${state('ready')} 1$`, 'm'), text);
      for (const other of ['starting', 'draining', 'stopped', 'failed']) {
        assert.match(text, new RegExp(`${state(other)} 0$`, 'm'), text);
      }
    }
    assert.match(text, /^adgate_dedup_degraded\{worker="sink-0"\} 0$/m, text);
    // Counted requests show up: the /healthz and /readyz of the test above.
    assert.match(
      text,
      /^adgate_http_requests_total\{worker="ingress-0",route="\/readyz",status="200"\} \d+$/m,
      text,
    );
    // Every sample line is `name{labels} value` of an adgate_ metric or a
    // runtime one (src/telemetry/runtime-metrics.ts).
    for (const line of text.split('\n')) {
      if (line === '' || line.startsWith('#')) continue;
      assert.match(
        line,
        /^(adgate|process|nodejs|v8js)_[a-z0-9_]+(\{[^}]*\})? -?[0-9.e+-]+$/,
        line,
      );
    }
  });

  it('on SIGTERM stops being ready and exits 0 within the drain deadline', async () => {
    // A request whose headers are still arriving when the signal comes: the
    // server keeps its connection and answers it while draining.
    const inFlight = await startPartialRequest(gateway.port, '/readyz');
    let answer: string | undefined;
    try {
      // Only a request the server has begun to read is in flight; bytes it
      // has not read yet would leave the connection idle, closed at once.
      await serverHasRead(gateway.url);
      gateway.child.kill('SIGTERM');
      await waitFor(
        'the drain to begin',
        // The HTTP worker's own drain: the supervisor's signal reaches it next.
        () =>
          gateway.output().includes('"msg":"lifecycle","worker":"ingress-0","state":"draining"'),
        DRAIN_TIMEOUT_MS,
        10,
      );
      answer = await inFlight.finish();
    } finally {
      inFlight.destroy();
    }
    assert.ok(answer !== undefined, 'the server closed the request in flight without an answer');
    assert.match(answer, /^HTTP\/1\.1 503 [\s\S]*\r\n\r\n\{"state":"draining"\}$/, answer);
    // New connections: refused, or a 503 while the listener is closing.
    const seen = await fetch(`${gateway.url}/readyz`).then(
      (res) => String(res.status),
      () => 'refused',
    );
    assert.ok(seen === 'refused' || seen === '503', `/readyz answered ${seen} after SIGTERM`);
    // Past the deadline the process exits 1; a second signal would force
    // the exit, so this waits instead of calling stop().
    const exit = await within(DRAIN_TIMEOUT_MS + 10_000, 'exit after SIGTERM', gateway.exited());
    assert.deepEqual(exit, { code: 0, signal: null }, gateway.output().slice(-4000));
    assert.match(gateway.output(), /"msg":"drain finished","ok":true/);
  });
});
