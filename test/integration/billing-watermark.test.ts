import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Hono } from 'hono';
import { floorHour } from '../../src/billing/compute-watermark.js';
import { loadConfig } from '../../src/config/load-config.js';
import { createApp } from '../../src/ingress-http/create-app.js';
import {
  type PartitionPositionReader,
  readPartitionPositions,
} from '../../src/kafka/read-partition-positions.js';
import { Lifecycle } from '../../src/lifecycle/lifecycle-state.js';
import { createLogger } from '../../src/telemetry/logger.js';
import { createMetrics, type Metrics } from '../../src/telemetry/metrics.js';
import { type GatewayProcess, startGatewayProcess } from '../../testkit/gateway-process.js';
import { waitFor, within } from '../../testkit/wait-for.js';
import { DEV_KEY, impression } from '../support/events.js';
import { createTestPipeline, type TestPipeline, waitAllCommitted } from '../support/pipeline.js';

// SPEC §3: GET /v1/billing/watermark is the instant before which no billing
// row can change any more. With the sink stopped it stays at the oldest
// unprocessed message's bound; once the sink has caught up it is the
// acceptance window's edge, now - ADGATE_ACCEPT_PAST_MS, floored to the hour.

const HOUR_MS = 3600_000;
const PAST_MS = HOUR_MS; // small, so that the numbers are checkable
const FUTURE_LIMIT_MS = 60_000; // the topic's message.timestamp.after.max.ms
const iso = (ms: number) => new Date(ms).toISOString();

interface WatermarkBody {
  watermark: string;
  as_of: string;
  lagging_partitions: {
    partition: number;
    next_offset: string;
    end_offset: string;
    settled_before: string;
  }[];
}

describe('GET /v1/billing/watermark (SPEC §3)', () => {
  let pipeline: TestPipeline;
  let reader: PartitionPositionReader;
  let app: Hono;
  let metrics: Metrics;
  let sink: GatewayProcess | undefined;

  before(async () => {
    pipeline = await createTestPipeline({
      partitions: 2,
      env: {
        ADGATE_ACCEPT_PAST_MS: String(PAST_MS),
        ADGATE_WATERMARK_SKEW_MS: '0',
        ADGATE_ROLES: 'sink',
        ADGATE_SINK_WORKERS: '1',
      },
    });
    const admin = pipeline.kafka.admin();
    await admin.connect();
    try {
      await admin.createTopics({
        waitForLeaders: true,
        topics: [
          {
            topic: pipeline.topic,
            numPartitions: 2,
            replicationFactor: 1,
            configEntries: [
              { name: 'message.timestamp.after.max.ms', value: String(FUTURE_LIMIT_MS) },
            ],
          },
        ],
      });
    } finally {
      await admin.disconnect();
    }
    reader = readPartitionPositions(pipeline.kafka, pipeline.topic);
    metrics = createMetrics();
    const lifecycle = new Lifecycle();
    lifecycle.moveTo('ready');
    app = createApp({
      config: loadConfig(pipeline.env),
      pool: pipeline.db.pool,
      lifecycle,
      metrics,
      log: createLogger('error'),
      requestDrain: () => undefined,
      ingestLog: reader,
    });
  });
  after(async () => {
    try {
      await sink?.stop('SIGTERM', 60_000);
      await within(30_000, 'reader close', reader?.close() ?? Promise.resolve());
      await within(30_000, 'metrics shutdown', metrics?.shutdown() ?? Promise.resolve());
    } finally {
      if (pipeline) await within(60_000, 'pipeline cleanup', pipeline.cleanup());
    }
  });

  /** The watermark as the route answers it, with the clock read before and after. */
  async function watermark(): Promise<{ body: WatermarkBody; before: number; after: number }> {
    const before = Date.now();
    const res = await app.request('http://adgate.test/v1/billing/watermark', {
      headers: { authorization: `Bearer ${DEV_KEY}` },
    });
    const after = Date.now();
    const body = (await res.json()) as WatermarkBody;
    assert.equal(res.status, 200, JSON.stringify(body));
    return { body, before, after };
  }

  /** The first answer computed after `sinceMs` (the route caches one for a second). */
  async function watermarkAfter(sinceMs: number) {
    return waitFor(
      'a watermark computed after the change',
      async () => {
        const w = await watermark();
        return Date.parse(w.body.as_of) >= sinceMs ? w : undefined;
      },
      30_000,
      100,
    );
  }

  /** now - PAST_MS floored, for a clock read anywhere between `before` and `after`. */
  function assertAtWindowEdge(w: { body: WatermarkBody; before: number; after: number }) {
    const allowed = [floorHour(w.before - PAST_MS), floorHour(w.after - PAST_MS)].map(iso);
    assert.ok(allowed.includes(w.body.watermark), `${w.body.watermark} not in ${allowed}`);
  }

  it('is the window edge while nothing waits, holds at the oldest unprocessed message while the sink is stopped, and moves on once it caught up', async () => {
    assertAtWindowEdge(await watermark());

    // Written straight into Kafka (no sink runs yet), stamped in the past
    // as a producer's backfill would be, each event inside its window.
    const stamped = Date.now() - 3 * HOUR_MS - 17 * 60_000;
    const producer = pipeline.kafka.producer({ allowAutoTopicCreation: false });
    await producer.connect();
    try {
      await producer.send({
        topic: pipeline.topic,
        acks: -1,
        messages: [0, 1, 2].map((i) => ({
          partition: 0,
          key: `wm-${i}`,
          timestamp: String(stamped + i * 60_000),
          value: JSON.stringify(impression(`wm-${i}`, { occurred_at: iso(stamped - 10 * 60_000) })),
        })),
      });
    } finally {
      await producer.disconnect();
    }
    const produced = Date.now();

    // The oldest message at the sink's position (offset 0) is stamped
    // `stamped`; later ones may be stamped up to the topic's future limit
    // earlier than any before them (README: "Settled hours").
    const held = await watermarkAfter(produced);
    assert.equal(held.body.watermark, iso(floorHour(stamped - FUTURE_LIMIT_MS - PAST_MS)));
    assert.deepEqual(
      held.body.lagging_partitions.map((p) => [p.partition, p.next_offset, p.end_offset]),
      [[0, '0', '3']],
    );

    // It stays there however long the partition stands still.
    const again = await watermarkAfter(Date.parse(held.body.as_of) + 1);
    assert.equal(again.body.watermark, held.body.watermark);

    sink = await startGatewayProcess(pipeline.env);
    await waitAllCommitted(pipeline, sink.output);
    const caughtUp = await watermarkAfter(Date.now());
    assert.deepEqual(caughtUp.body.lagging_partitions, [], JSON.stringify(caughtUp.body));
    assertAtWindowEdge(caughtUp);
  });

  it('refuses unknown parameters and requires the billing scope', async () => {
    const unknown = await app.request('http://adgate.test/v1/billing/watermark?since=x', {
      headers: { authorization: `Bearer ${DEV_KEY}` },
    });
    assert.equal(unknown.status, 400);
    const anonymous = await app.request('http://adgate.test/v1/billing/watermark');
    assert.equal(anonymous.status, 401);
  });
});
