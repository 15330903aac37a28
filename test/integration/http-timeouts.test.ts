import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { type GatewayProcess, startGatewayProcess } from '../../testkit/gateway-process.js';
import { fetchMetrics, metricValue } from '../../testkit/prometheus.js';
import { waitFor, within } from '../../testkit/wait-for.js';
import { impression, postEvents } from '../support/events.js';
import { createTestPipeline, type TestPipeline } from '../support/pipeline.js';

// SPEC §3: a client too slow to send its headers or its body gets 408 and
// its connection is closed; idle keep-alive connections are closed; past
// the connection cap, new connections are closed at once. (issue 14)

const HEADERS_TIMEOUT_MS = 2_000;
const REQUEST_TIMEOUT_MS = 5_000;
const KEEP_ALIVE_TIMEOUT_MS = 1_000;
const MAX_CONNECTIONS = 20;

interface RawClient {
  readonly socket: Socket;
  /** Everything the server sent. */
  received(): string;
  /** Resolves when the server closed the connection, with ms since connect. */
  readonly closed: Promise<number>;
}

function rawClient(port: number): Promise<RawClient> {
  return new Promise((resolve, reject) => {
    let text = '';
    const started = performance.now();
    const socket = connect(port, '127.0.0.1');
    const closed = new Promise<number>((done) => {
      socket.on('close', () => done(performance.now() - started));
    });
    socket.on('data', (d: Buffer) => {
      text += d.toString();
    });
    // The server ending its half: end ours, as a real client would.
    socket.on('end', () => socket.end());
    socket.on('error', () => undefined);
    socket.once('connect', () => resolve({ socket, received: () => text, closed }));
    socket.once('error', reject);
  });
}

/** Writes `text` one byte every `everyMs` until the socket closes. */
function trickle(socket: Socket, text: string, everyMs: number): void {
  let i = 0;
  const timer = setInterval(() => {
    if (socket.destroyed || i >= text.length) return clearInterval(timer);
    socket.write(text[i] as string);
    i += 1;
  }, everyMs);
  socket.once('close', () => clearInterval(timer));
}

describe('HTTP timeouts and the connection cap (SPEC §3, issue 14)', () => {
  let pipeline: TestPipeline;
  let gateway: GatewayProcess;

  before(async () => {
    pipeline = await createTestPipeline({
      env: {
        ADGATE_ROLES: 'ingress',
        ADGATE_INGRESS_WORKERS: '1',
        ADGATE_HTTP_HEADERS_TIMEOUT_MS: String(HEADERS_TIMEOUT_MS),
        ADGATE_HTTP_REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS),
        ADGATE_HTTP_KEEP_ALIVE_TIMEOUT_MS: String(KEEP_ALIVE_TIMEOUT_MS),
        ADGATE_HTTP_MAX_CONNECTIONS: String(MAX_CONNECTIONS),
      },
    });
    gateway = await startGatewayProcess(pipeline.env);
  });

  after(async () => {
    await gateway?.stop('SIGTERM', 30_000).catch(() => undefined);
    await pipeline?.cleanup();
  });

  it('answers 408 to a slowloris client and closes it at the header timeout', async () => {
    const client = await rawClient(gateway.port);
    // A byte every 100 ms: 40 s for these headers, if the server let it.
    trickle(
      client.socket,
      `POST /v1/events HTTP/1.1\r\nHost: x\r\nX-Pad: ${'p'.repeat(400)}\r\n`,
      100,
    );
    const closedAfterMs = await within(REQUEST_TIMEOUT_MS * 3, 'slowloris closed', client.closed);
    assert.match(client.received(), /^HTTP\/1\.1 408 /);
    // Closed by the header timeout, not by the later request timeout.
    assert.ok(closedAfterMs < REQUEST_TIMEOUT_MS, `closed after ${closedAfterMs} ms`);
  });

  it('answers 408 to a body sent a byte at a time and closes the connection', async () => {
    const client = await rawClient(gateway.port);
    const body = JSON.stringify([impression('slow-body-1')]);
    client.socket.write(
      `POST /v1/events HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer dev-key\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`,
    );
    trickle(client.socket, body, 200);
    await within(REQUEST_TIMEOUT_MS * 4, 'slow body closed', client.closed);
    assert.match(client.received(), /^HTTP\/1\.1 408 /);
  });

  it('closes an idle keep-alive connection after the keep-alive timeout', async () => {
    const client = await rawClient(gateway.port);
    client.socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
    await waitFor('the response', async () => /\r\n\r\n/.test(client.received()), 5_000, 20);
    assert.match(client.received(), /^HTTP\/1\.1 200 /);
    await within(KEEP_ALIVE_TIMEOUT_MS * 10, 'idle connection closed', client.closed);
  });

  it('closes connections past the cap at once, and serves again when they go', async () => {
    const held: RawClient[] = [];
    for (let i = 0; i < MAX_CONNECTIONS + 5; i += 1) held.push(await rawClient(gateway.port));
    // Held connections send nothing yet: those past the cap are closed now,
    // long before any timeout, with no answer.
    const refused = held.slice(MAX_CONNECTIONS);
    let keptOpen = 0;
    const kept = held.slice(0, MAX_CONNECTIONS);
    for (const c of kept) void c.closed.then(() => (keptOpen -= 1));
    keptOpen = kept.length;
    await within(
      10_000,
      'connections past the cap closed',
      Promise.all(refused.map((c) => c.closed)),
    );
    // Dropped, not timed out: no 408, and those under the cap still open.
    for (const c of refused) assert.equal(c.received(), '');
    assert.ok(keptOpen > 0, 'the connections under the cap were closed too');
    for (const c of held) c.socket.destroy();
    await Promise.all(held.map((c) => c.closed));
    // The server frees a slot once it has seen a close, a moment after the
    // client has: until then a new connection is still past the cap and is
    // dropped (seen in CI as 'fetch failed'). Dropped attempts are retried.
    const response = await waitFor(
      'a request served once the held connections are gone',
      () => postEvents(gateway.url, [impression('after-cap-1')]),
      5_000,
      20,
    );
    assert.equal(response.status, 202);
  });

  it('counts what it closed in /metrics', async () => {
    const samples = await fetchMetrics(gateway.url);
    const timeouts = metricValue(samples, 'adgate_http_client_faults_total', { fault: 'timeout' });
    assert.ok((timeouts ?? 0) >= 2, `timeouts counted: ${timeouts}`);
    const dropped = metricValue(samples, 'adgate_http_connections_dropped_total');
    assert.ok((dropped ?? 0) >= 5, `dropped counted: ${dropped}`);
  });
});
