#!/usr/bin/env node
// How a normal client fares while slow clients hold connections (issue 14):
// N slowloris connections trickle their headers a byte at a time, and a
// normal client posts events one request at a time meanwhile. Prints the
// normal client's 202 latency (p50, p99, max) with and without the slow
// crowd, and how many slow connections the gateway closed with 408.
//   node dist/loadtest/slow-clients/run-slow-clients.js [--slow 500] [--requests 300]
import { connect, type Socket } from 'node:net';
import { userInfo } from 'node:os';
import { parseArgs } from 'node:util';
import { startGatewayProcess } from '../../testkit/gateway-process.js';
import { within } from '../../testkit/wait-for.js';
import {
  benchNames,
  createDatabase,
  createKafka,
  dropDatabase,
  gatewayEnvFor,
} from '../common/resources.js';

const HELP = `Usage: node dist/loadtest/slow-clients/run-slow-clients.js [options]

  --slow N         slow connections held open (default 500)
  --requests N     normal POST /v1/events requests, one at a time, per phase (default 300)
  --headers-ms MS  the gateway's ADGATE_HTTP_HEADERS_TIMEOUT_MS (default 10000)
  --help           this text
Uses the local stack (npm run stack:up) with a database and topics of its own.
`;

interface Options {
  readonly slow: number;
  readonly requests: number;
  readonly headersMs: number;
}

function readOptions(): Options {
  const { values } = parseArgs({
    options: {
      slow: { type: 'string', default: '500' },
      requests: { type: 'string', default: '300' },
      'headers-ms': { type: 'string', default: '10000' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(HELP);
    process.exit(0);
  }
  const whole = (name: string, text: string, min: number) => {
    const n = Number(text);
    if (!Number.isInteger(n) || n < min)
      throw new Error(`--${name} must be a whole number >= ${min}`);
    return n;
  };
  return {
    slow: whole('slow', values.slow, 0),
    requests: whole('requests', values.requests, 10),
    headersMs: whole('headers-ms', values['headers-ms'], 100),
  };
}

/** A connection that sends a header byte every `everyMs` until closed; counts a 408. */
function slowConnection(port: number, everyMs: number, on408: () => void): Socket {
  const socket = connect(port, '127.0.0.1');
  const text = `POST /v1/events HTTP/1.1\r\nHost: x\r\nX-Pad: ${'p'.repeat(4_000)}\r\n`;
  let i = 0;
  const timer = setInterval(() => {
    if (i < text.length && socket.writable) socket.write(text[i++] as string);
  }, everyMs);
  socket.on('data', (d: Buffer) => {
    if (d.toString().startsWith('HTTP/1.1 408')) on408();
  });
  socket.on('error', () => undefined);
  socket.on('close', () => clearInterval(timer));
  return socket;
}

async function normalLatencies(url: string, requests: number): Promise<number[]> {
  const latencies: number[] = [];
  for (let i = 0; i < requests; i += 1) {
    const body = JSON.stringify({
      type: 'impression',
      impression_id: `slow-bench-${Date.now()}-${i}`,
      occurred_at: new Date().toISOString(),
      campaign_id: 'c1',
      ad_id: 'a1',
      publisher_id: 'p1',
    });
    const started = performance.now();
    const response = await fetch(`${url}/v1/events`, {
      method: 'POST',
      headers: { authorization: 'Bearer dev-key', 'content-type': 'application/json' },
      body,
    });
    await response.arrayBuffer();
    if (response.status !== 202) throw new Error(`normal request answered ${response.status}`);
    latencies.push(performance.now() - started);
  }
  return latencies.sort((a, b) => a - b);
}

function summary(sorted: readonly number[]): string {
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
  return `p50 ${at(0.5).toFixed(1)} ms, p99 ${at(0.99).toFixed(1)} ms, max ${at(1).toFixed(1)} ms`;
}

async function main(): Promise<void> {
  const options = readOptions();
  const adminUrl = `postgres://${userInfo().username}@127.0.0.1:5432/postgres`;
  const names = benchNames('slow');
  const databaseUrl = await createDatabase(adminUrl, names.database);
  const env = gatewayEnvFor(
    names,
    {
      kafkaBrokers: '127.0.0.1:9092',
      redisUrl: 'redis://127.0.0.1:6379',
      partitions: 3,
      gatewayLogLevel: 'warn',
    },
    databaseUrl,
  );
  const gateway = await startGatewayProcess({
    ...env,
    ADGATE_HTTP_HEADERS_TIMEOUT_MS: String(options.headersMs),
    ADGATE_HTTP_REQUEST_TIMEOUT_MS: String(Math.max(options.headersMs, 30_000)),
  });
  try {
    process.stderr.write(`slow-clients: warm-up and ${options.requests} requests alone\n`);
    await normalLatencies(gateway.url, 20);
    const alone = await normalLatencies(gateway.url, options.requests);
    let closed408 = 0;
    process.stderr.write(`slow-clients: opening ${options.slow} slow connections\n`);
    const slow = Array.from({ length: options.slow }, () =>
      slowConnection(gateway.port, 1_000, () => (closed408 += 1)),
    );
    const crowded = await normalLatencies(gateway.url, options.requests);
    // The header timeout then closes every slow connection, with a 408.
    const closedAll = Promise.all(slow.map((s) => new Promise((r) => s.once('close', r))));
    await within(options.headersMs * 3, 'the slow connections to be closed', closedAll);
    process.stdout.write(
      [
        `normal client alone:                        ${summary(alone)}`,
        `normal client with ${options.slow} slow connections: ${summary(crowded)}`,
        `slow connections closed with 408 by the header timeout: ${closed408} of ${options.slow}`,
        '',
      ].join('\n'),
    );
  } finally {
    await gateway.stop('SIGTERM', 30_000);
    await dropDatabase(adminUrl, names.database);
    const admin = createKafka('127.0.0.1:9092').admin();
    await admin.connect();
    await admin.deleteTopics({ topics: [names.topic, names.dlqTopic, names.deadTopic] });
    await admin.disconnect();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`slow-clients: ${(error as Error).message}\n`);
  process.exit(1);
});
