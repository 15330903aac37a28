import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { loadConfig } from '../../src/config/load-config.js';
import { type Gateway, startGateway } from '../../src/create-gateway.js';
import { type AdgateError, WriteRejectedError } from '../../src/errors/adgate-error.js';
import { createBatchConsumer } from '../../src/kafka/create-batch-consumer.js';
import { createKafka } from '../../src/kafka/create-kafka.js';
import { classifyPgError } from '../../src/store/classify-pg-error.js';
import { createLogger } from '../../src/telemetry/logger.js';
import { type GatewayProcess, startGatewayProcess } from '../../testkit/gateway-process.js';
import { fetchMetrics, metricValue } from '../../testkit/prometheus.js';
import { waitFor, within } from '../../testkit/wait-for.js';
import { impression } from '../support/events.js';
import { uniqueName } from '../support/names.js';
import {
  createTestPipeline,
  createTopics,
  produceRaw,
  type TestPipeline,
  waitAllCommitted,
} from '../support/pipeline.js';
import { KAFKA_BROKERS, PG_ADMIN_URL, quietLog } from '../support/services.js';

// SPEC §7: an instance that can no longer do its work is `failed`, says so
// on /readyz and /healthz, logs and counts it once, and exits non-zero. It
// never stays up looking healthy while its partitions stand still.

const FAILED_LINE = '"msg":"adgate failed: draining what it can, then exiting non-zero"';

function events(prefix: string, count: number) {
  return Array.from({ length: count }, (_, i) => {
    const event = impression(`${prefix}-${i}`);
    return { key: event.impression_id, value: JSON.stringify(event) };
  });
}

async function countRows(pool: pg.Pool): Promise<number> {
  const { rows } = await pool.query<{ n: string }>('SELECT count(*) AS n FROM ad_events');
  return Number(rows[0]?.n);
}

describe('a Kafka consumer that kafkajs will not restart is reported, not only logged', () => {
  let pipeline: TestPipeline;
  before(async () => {
    pipeline = await createTestPipeline({ partitions: 1 });
    await createTopics(pipeline, 1);
    await produceRaw(pipeline, events('crash', 3));
  });
  after(async () => {
    await within(60_000, 'pipeline cleanup', pipeline?.cleanup() ?? Promise.resolve());
  });

  const crashWith = async (thrown: Error): Promise<AdgateError> => {
    const kafka = createKafka(
      { clientId: 'adgate-test', brokers: KAFKA_BROKERS.split(',') },
      quietLog,
    );
    const consumer = createBatchConsumer(
      kafka,
      { groupId: uniqueName('crash'), topic: pipeline.topic, concurrency: 1, maxWaitMs: 100 },
      quietLog,
    );
    const failure = new Promise<AdgateError>((resolve) => consumer.onFailure(resolve));
    try {
      await consumer.start(async () => {
        throw thrown;
      });
      return await within(60_000, 'the failure report', failure);
    } finally {
      await within(30_000, 'consumer close', consumer.close());
    }
  };

  it('a non-retriable AdgateError (with a cause of its own) keeps its reason', async () => {
    // kafkajs's CRASH event holds only the innermost cause (the pg error here).
    const refused = new WriteRejectedError(
      'refused',
      Object.assign(new Error('pg'), { code: '42501' }),
    );
    const failure = await crashWith(refused);
    assert.equal(failure, refused);
    assert.equal(failure.reason, 'write_failed');
  });

  it('anything else kafkajs gives up on (a TypeError: a bug) is kafka_consumer_crashed', async () => {
    const failure = await crashWith(new TypeError('undefined is not a function'));
    assert.equal(failure.reason, 'kafka_consumer_crashed');
    assert.equal(failure.retriable, false);
  });
});

describe('a stalled sink: failed, 503 on /readyz and /healthz, counted once, and it stays failed', () => {
  let pipeline: TestPipeline;
  let gateway: Gateway | undefined;
  let locker: pg.Client | undefined;
  const lines: string[] = [];
  const fatal: unknown[] = [];

  before(async () => {
    pipeline = await createTestPipeline({ partitions: 2 });
  });
  after(async () => {
    await locker?.end().catch(() => undefined);
    if (gateway !== undefined) await within(60_000, 'gateway drain', gateway.drain());
    await within(60_000, 'pipeline cleanup', pipeline?.cleanup() ?? Promise.resolve());
  });

  it('moves to failed when a write cannot finish for ADGATE_SINK_STALL_MS while messages wait', async () => {
    gateway = await startGateway(
      loadConfig({
        ...pipeline.env,
        ADGATE_HTTP_HOST: '127.0.0.1',
        ADGATE_HTTP_PORT: '0',
        ADGATE_SINK_STALL_MS: '2000',
      }),
      createLogger('info', {}, (line) => lines.push(line)),
      () => undefined,
      (error) => fatal.push(error),
    );
    const url = `http://127.0.0.1:${gateway.port}`;
    await produceRaw(pipeline, events('warm', 10));
    await waitAllCommitted(pipeline, () => lines.join(''));

    // The write's transaction waits on this lock: no error, no progress.
    locker = new pg.Client({ connectionString: pipeline.db.url });
    await locker.connect();
    await locker.query('BEGIN');
    await locker.query('LOCK TABLE sink_offsets IN ACCESS EXCLUSIVE MODE');
    await produceRaw(pipeline, events('stuck', 10));

    await waitFor('the instance to fail', () => gateway?.lifecycle.state === 'failed', 60_000);
    const readyz = await fetch(`${url}/readyz`);
    assert.equal(readyz.status, 503);
    const healthz = await fetch(`${url}/healthz`);
    assert.equal(healthz.status, 503);
    assert.deepEqual(await healthz.json(), { status: 'failed', state: 'failed' });
    const samples = await fetchMetrics(url);
    assert.equal(metricValue(samples, 'adgate_failures_total', { reason: 'sink_stalled' }), 1);
    assert.equal(metricValue(samples, 'adgate_failures_total'), 1);
    assert.equal(
      metricValue(samples, 'adgate_lifecycle_state', { state: 'failed' }),
      1,
      'the lifecycle metric says failed',
    );
    assert.ok(
      (metricValue(samples, 'adgate_sink_last_commit_timestamp_seconds') ?? 0) > 0,
      'the last commit time is exported',
    );
    assert.equal(fatal.length, 1, 'the process is told once, to drain and exit non-zero');
    assert.equal(lines.filter((l) => l.includes(FAILED_LINE)).length, 1);
    assert.ok(lines.find((l) => l.includes(FAILED_LINE))?.includes('"reason":"sink_stalled"'));

    // The drain after a failure: the write finishes once the lock goes,
    // but the end state stays failed (exit non-zero), never stopped.
    await locker.query('ROLLBACK');
    const report = await within(60_000, 'the drain', gateway.drain());
    assert.equal(report.ok, false);
    assert.equal(gateway.lifecycle.state, 'failed');
    assert.equal(lines.filter((l) => l.includes(FAILED_LINE)).length, 1, 'still counted once');
    gateway = undefined;
    assert.equal(await countRows(pipeline.db.pool), 20, 'the batch in hand still landed');
  });
});

/** The classified error PostgreSQL itself sends the role for an insert into event_keys. */
async function refusalAsRole(url: string): Promise<AdgateError> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const refused: unknown = await client
      .query('INSERT INTO event_keys SELECT * FROM event_keys WHERE false')
      .then(
        () => undefined,
        (error: unknown) => error,
      );
    assert.ok(refused !== undefined, 'the role may no longer insert into event_keys');
    return classifyPgError(refused);
  } finally {
    await client.end();
  }
}

describe('a privilege revoked under a running sink: the process fails and exits non-zero', () => {
  const role = uniqueName('adgate_sink').toLowerCase();
  const database = uniqueName('adgate_t').toLowerCase();
  let pipeline: TestPipeline;
  let admin: pg.Pool;
  const gateways: GatewayProcess[] = [];

  before(async () => {
    pipeline = await createTestPipeline({ partitions: 2 });
    // Not a superuser: REVOKE does nothing to one. The database is the
    // role's, so that the gateway's own migrations create what it writes.
    const root = new pg.Client({ connectionString: PG_ADMIN_URL });
    await root.connect();
    try {
      await root.query(`CREATE ROLE ${role} LOGIN NOSUPERUSER`);
      await root.query(`CREATE DATABASE ${database} OWNER ${role}`);
    } finally {
      await root.end();
    }
    admin = new pg.Pool({ connectionString: PG_ADMIN_URL.replace(/\/[^/]*$/, `/${database}`) });
  });
  after(async () => {
    for (const g of gateways) await g.stop('SIGKILL').catch(() => undefined);
    await admin?.end();
    const root = new pg.Client({ connectionString: PG_ADMIN_URL });
    await root.connect();
    try {
      await root.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
      await root.query(`DROP ROLE IF EXISTS ${role}`);
    } finally {
      await root.end();
    }
    await within(60_000, 'pipeline cleanup', pipeline?.cleanup() ?? Promise.resolve());
  });

  it('fails (its consumer stopped, or it stalled), exits non-zero, and a restart lands everything once', async () => {
    const url = new URL(PG_ADMIN_URL);
    url.username = role;
    url.pathname = `/${database}`;
    const env = {
      ...pipeline.env,
      ADGATE_DATABASE_URL: url.toString(),
      ADGATE_SINK_STALL_MS: '5000',
      ADGATE_RETRY_MAX_BACKOFF_MS: '500',
    };
    const first = await startGatewayProcess(env);
    gateways.push(first);
    await produceRaw(pipeline, events('before', 20));
    await waitAllCommitted(pipeline, first.output);

    await admin.query(`REVOKE INSERT ON event_keys FROM ${role}`);
    const refusal = await refusalAsRole(url.toString());
    await produceRaw(pipeline, events('after', 20));
    const exit = await within(120_000, 'the failed gateway to exit', first.exited());
    assert.equal(exit.code, 1, first.output().slice(-4000));

    // Which path it takes depends on how PostgreSQL's "permission denied"
    // (42501) is classified: a permanent error escapes the batch handler
    // and kafkajs stops the consumer for good; a retriable one is retried
    // in place until the watchdog calls it a stall. Either way: failed.
    const reason = refusal.retriable ? 'sink_stalled' : refusal.reason;
    const failures = first
      .output()
      .split('\n')
      .filter((l) => l.includes(FAILED_LINE));
    assert.equal(failures.length, 1, first.output().slice(-4000));
    assert.ok(failures[0]?.includes(`"reason":"${reason}"`), failures[0]);
    assert.ok(first.output().includes('"state":"failed"'));
    assert.ok(!first.output().includes('"state":"stopped"'), 'never stopped after failing');

    // The supervisor restarts it once the cause is fixed: nothing lost.
    await admin.query(`GRANT INSERT ON event_keys TO ${role}`);
    const second = await startGatewayProcess(env);
    gateways.push(second);
    await waitAllCommitted(pipeline, second.output);
    assert.equal(await countRows(admin), 40);
    const stopped = await second.stop('SIGTERM');
    assert.equal(stopped.code, 0);
  });
});
