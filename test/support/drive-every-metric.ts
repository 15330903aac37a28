import { connect, type Socket } from 'node:net';
import {
  freePort,
  type GatewayProcess,
  startGatewayProcess,
} from '../../testkit/gateway-process.js';
import { fetchMetrics, metricValue } from '../../testkit/prometheus.js';
import { waitFor } from '../../testkit/wait-for.js';
import { getBilling, impression, postEvents } from './events.js';
import { uniqueName } from './names.js';
import { produceRaw, type TestPipeline, waitAllCommitted } from './pipeline.js';

// Traffic that makes a gateway write every series it has, for the tests
// that hold the README's metric table, the alert rules and the dashboard
// to what /metrics serves: accepted, rejected and duplicate events, dead
// letters (one cut to fit its topic), refusals at the door (rate limit,
// failed authentication, a client that does not speak HTTP, connections
// past the cap) and an error with a reason (a billing query without
// PostgreSQL: 503, on a second, ingress-only gateway).

export const MAIN_KEY = 'observe-main-0123456789';
const SLOW_KEY = 'observe-slow-0123456789';
const MAX_CONNECTIONS = 40;
/** The DLQ topic's max.message.bytes: below the ingest topic's, so a big letter is cut. */
export const DLQ_MAX_MESSAGE_BYTES = 20_000;

/** The gateway settings the traffic relies on. */
export function trafficEnv(): Record<string, string> {
  return {
    ADGATE_API_KEYS: `observe:ingest+billing:${MAIN_KEY},slow:ingest@1/1:${SLOW_KEY}`,
    ADGATE_AUTH_FAILURE_LIMIT: '1/1',
    ADGATE_HTTP_MAX_CONNECTIONS: String(MAX_CONNECTIONS),
  };
}

/** The pipeline's topics, the DLQ and dead topics smaller than the ingest topic. */
export async function createObservedTopics(pipeline: TestPipeline, partitions = 3): Promise<void> {
  const admin = pipeline.kafka.admin();
  await admin.connect();
  try {
    const small = [{ name: 'max.message.bytes', value: String(DLQ_MAX_MESSAGE_BYTES) }];
    await admin.createTopics({
      waitForLeaders: true,
      topics: [
        { topic: pipeline.topic, numPartitions: partitions, replicationFactor: 1 },
        {
          topic: pipeline.dlqTopic,
          numPartitions: partitions,
          replicationFactor: 1,
          configEntries: small,
        },
        {
          topic: pipeline.deadTopic,
          numPartitions: partitions,
          replicationFactor: 1,
          configEntries: small,
        },
      ],
    });
  } finally {
    await admin.disconnect();
  }
}

export interface FaultyGateway {
  readonly gateway: GatewayProcess;
  stop(): Promise<void>;
}

/**
 * An ingress-only gateway whose PostgreSQL is not there (a port nothing
 * listens on): its billing queries answer 503 (SPEC §3: PostgreSQL may
 * answer if asked again), counted as adgate_errors_total{reason}.
 */
export async function startFaultyGateway(pipeline: TestPipeline): Promise<FaultyGateway> {
  const gateway = await startGatewayProcess({
    ...pipeline.env,
    ...trafficEnv(),
    ADGATE_ROLES: 'ingress',
    ADGATE_DATABASE_URL: `postgres://127.0.0.1:${await freePort()}/nowhere`,
    ADGATE_MIGRATE_ON_START: 'false',
  });
  return { gateway, stop: async () => void (await gateway.stop('SIGTERM')) };
}

/** `count` messages no decoder takes, straight into the ingest topic (SPEC §4). */
export async function produceDeadLetters(pipeline: TestPipeline, count: number): Promise<void> {
  const tag = uniqueName('dl');
  const messages = Array.from({ length: count }, (_, i) => ({
    key: `${tag}-${i}`,
    value: JSON.stringify({ ...impression(`${tag}-${i}`), cost_micros: -1 }),
  }));
  await produceRaw(pipeline, messages);
}

/** Every kind of traffic above, once; returns when the sink has committed it all. */
export async function driveEveryMetric(
  pipeline: TestPipeline,
  gateway: GatewayProcess,
  faulty: GatewayProcess,
): Promise<void> {
  const tag = uniqueName('obs');
  const events = Array.from({ length: 50 }, (_, i) => impression(`${tag}-${i}`));
  await postEvents(gateway.url, events, { key: MAIN_KEY });
  await postEvents(gateway.url, events.slice(0, 10), { key: MAIN_KEY }); // duplicates
  await postEvents(gateway.url, [{ ...impression(`${tag}-bad`), cost_micros: -1 }], {
    key: MAIN_KEY,
  }); // rejected
  for (let i = 0; i < 3; i++) {
    await postEvents(gateway.url, [impression(`${tag}-slow-${i}`)], { key: SLOW_KEY });
    await postEvents(gateway.url, [impression(`${tag}-nokey-${i}`)], { key: 'not-a-key' });
  }
  await produceDeadLetters(pipeline, 3);
  // Unparsable and bigger than the DLQ topic takes: sent cut and marked.
  await produceRaw(pipeline, [{ key: `${tag}-big`, value: `{${'x'.repeat(40_000)}` }]);
  await sendNotHttp(gateway.port);
  await overflowConnections(gateway);
  const refused = await getBilling(faulty.url, 'hourly', billingRange(), { key: MAIN_KEY });
  if (refused.status !== 503) throw new Error(`billing without PostgreSQL: ${refused.status}`);
  await waitAllCommitted(pipeline, gateway.output);
  await waitFor('the cut dead letter in adgate_dlq_truncated_total', async () => {
    const samples = await fetchMetrics(gateway.url);
    return (metricValue(samples, 'adgate_dlq_truncated_total') ?? 0) > 0;
  });
}

function billingRange(): Record<string, string> {
  const hour = 3_600_000;
  const to = Math.floor(Date.now() / hour) * hour + hour;
  return {
    from: new Date(to - 24 * hour).toISOString(),
    to: new Date(to).toISOString(),
    campaign_id: 'camp-1',
  };
}

/** A client that does not speak HTTP: the server answers 400 (bad_request). */
async function sendNotHttp(port: number): Promise<void> {
  const socket = await open(port);
  let received = '';
  socket.on('data', (d: Buffer) => {
    received += d.toString();
  });
  try {
    socket.write('NOT HTTP AT ALL\r\n\r\n');
    await waitFor('a 400 for a request that is not HTTP', () => received.includes(' 400 '));
  } finally {
    socket.destroy();
  }
}

/** More connections than ADGATE_HTTP_MAX_CONNECTIONS: those past it are closed at once. */
async function overflowConnections(gateway: GatewayProcess): Promise<void> {
  const sockets: Socket[] = [];
  try {
    for (let i = 0; i < MAX_CONNECTIONS + 5; i++) sockets.push(await open(gateway.port));
    await waitFor('a connection past the cap closed by the server', () =>
      sockets.some((s) => s.destroyed || s.readableEnded),
    );
  } finally {
    for (const s of sockets) s.destroy();
  }
}

function open(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    socket.on('end', () => socket.end());
    socket.on('error', () => undefined);
    socket.once('connect', () => resolve(socket));
    socket.once('error', reject);
  });
}
