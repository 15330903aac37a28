import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type pg from 'pg';
import {
  type GatewayProcess,
  runAdgate,
  startGatewayProcess,
} from '../../testkit/gateway-process.js';
import { fetchMetrics, metricValue } from '../../testkit/prometheus.js';
import { waitFor, within } from '../../testkit/wait-for.js';
import { impression } from '../support/events.js';
import {
  createTestPipeline,
  createTopics,
  produceRaw,
  type TestPipeline,
  waitAllCommitted,
} from '../support/pipeline.js';

// The sink_offsets floor: the sink passes over messages below the position
// PostgreSQL recorded (a previous owner wrote them). Those must be counted,
// and a recorded position the partition never reached (a re-created topic)
// must stop the instance instead of passing over new messages in silence.

const PARTITIONS = 2;

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

/** Runs a sink over what is in the topic, to its end, then drains it (exit 0). */
async function landAll(pipeline: TestPipeline, started: GatewayProcess[]): Promise<void> {
  const gateway = await startGatewayProcess({
    ...pipeline.env,
    ADGATE_ROLES: 'sink',
    ADGATE_SINK_WORKERS: '1',
  });
  started.push(gateway);
  await waitAllCommitted(pipeline, gateway.output);
  assert.equal((await gateway.stop('SIGTERM')).code, 0);
}

describe('messages below the recorded position are counted as skipped_recorded', () => {
  let pipeline: TestPipeline;
  const started: GatewayProcess[] = [];
  before(async () => {
    pipeline = await createTestPipeline({ partitions: PARTITIONS });
    await createTopics(pipeline, PARTITIONS);
  });
  after(async () => {
    for (const g of started) await g.stop('SIGKILL').catch(() => undefined);
    await within(60_000, 'pipeline cleanup', pipeline?.cleanup() ?? Promise.resolve());
  });

  it('re-reading from the start lands nothing new and counts every message skipped', async () => {
    await produceRaw(pipeline, events('e', 30));
    await landAll(pipeline, started);

    // The group's Kafka offsets back at the start, PostgreSQL's where they
    // were: what a previous owner that wrote but never committed leaves.
    const admin = pipeline.kafka.admin();
    await admin.connect();
    try {
      await admin.resetOffsets({ groupId: pipeline.group, topic: pipeline.topic, earliest: true });
    } finally {
      await admin.disconnect();
    }
    assert.equal(await pipeline.committedTotal(), 0n);

    const gateway = await startGatewayProcess({
      ...pipeline.env,
      ADGATE_ROLES: 'sink',
      ADGATE_SINK_WORKERS: '1',
    });
    started.push(gateway);
    await waitAllCommitted(pipeline, gateway.output);
    const samples = await fetchMetrics(gateway.url);
    assert.equal(
      metricValue(samples, 'adgate_sink_events_total', { outcome: 'skipped_recorded' }),
      30,
      gateway.output().slice(-4000),
    );
    assert.equal(metricValue(samples, 'adgate_sink_events_total', { outcome: 'inserted' }) ?? 0, 0);
    assert.ok(
      gateway
        .output()
        .includes('"msg":"skipped messages below the position recorded in PostgreSQL"'),
    );
    assert.equal(await countRows(pipeline.db.pool), 30);
  });
});

describe('a recorded position beyond the partition end (the topic was re-created)', () => {
  let pipeline: TestPipeline;
  const started: GatewayProcess[] = [];
  before(async () => {
    pipeline = await createTestPipeline({ partitions: PARTITIONS });
    await createTopics(pipeline, PARTITIONS);
  });
  after(async () => {
    for (const g of started) await g.stop('SIGKILL').catch(() => undefined);
    await within(60_000, 'pipeline cleanup', pipeline?.cleanup() ?? Promise.resolve());
  });

  it('refuses to skip: failed, exit 1, the log names adgate offsets reset; after it all lands', async () => {
    await produceRaw(pipeline, events('old', 40));
    await landAll(pipeline, started);

    // Deleted and re-created under the same name while no gateway runs;
    // sink_offsets still holds the old topic's positions (about 20 each).
    const admin = pipeline.kafka.admin();
    await admin.connect();
    try {
      await admin.deleteTopics({ topics: [pipeline.topic] });
      await waitFor(
        'the topic to be re-created',
        async () =>
          admin
            .createTopics({
              waitForLeaders: true,
              topics: [{ topic: pipeline.topic, numPartitions: PARTITIONS, replicationFactor: 1 }],
            })
            .then((created) => created),
        60_000,
        500,
      );
    } finally {
      await admin.disconnect();
    }
    await produceRaw(pipeline, events('new', 6));

    const failing = await startGatewayProcess(
      { ...pipeline.env, ADGATE_ROLES: 'sink', ADGATE_SINK_WORKERS: '1' },
      { waitReady: false },
    );
    started.push(failing);
    const exit = await within(120_000, 'the gateway to fail and exit', failing.exited());
    const output = failing.output();
    assert.equal(exit.code, 1, output.slice(-4000));
    const failures = output
      .split('\n')
      .filter((l) =>
        l.includes('"msg":"adgate failed: draining what it can, then exiting non-zero"'),
      );
    assert.equal(failures.length, 1, output.slice(-4000));
    const line = JSON.parse(failures[0] as string) as {
      reason: string;
      error: { message: string };
    };
    assert.equal(line.reason, 'recorded_offset_beyond_end');
    assert.match(line.error.message, /adgate offsets reset/, 'the log names the command');
    assert.equal(
      await countRows(pipeline.db.pool),
      40,
      'none of the new messages skipped or written',
    );

    // The operator runs the command the log named; the next start lands the new topic.
    const reset = await runAdgate(['offsets', 'reset'], pipeline.env);
    assert.equal(reset.code, 0, reset.stderr);
    assert.match(reset.stdout, /deleted [1-9]\d* recorded positions/);
    const gateway = await startGatewayProcess({
      ...pipeline.env,
      ADGATE_ROLES: 'sink',
      ADGATE_SINK_WORKERS: '1',
    });
    started.push(gateway);
    await waitFor(
      'the new messages to land',
      async () => (await countRows(pipeline.db.pool)) === 46,
      60_000,
    );
    assert.equal((await gateway.stop('SIGTERM')).code, 0);
  });
});
