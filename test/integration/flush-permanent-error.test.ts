import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createRedisDedupStore } from '../../src/dedup/redis-dedup-store.js';
import { DependencyRejectedError, WriteRejectedError } from '../../src/errors/adgate-error.js';
import { createKafka } from '../../src/kafka/create-kafka.js';
import { createProducer } from '../../src/kafka/create-producer.js';
import type { InboundMessage, Producer } from '../../src/kafka/types.js';
import type { DedupStore } from '../../src/sink/dedup-store.js';
import { type FlushDeps, flushBatch } from '../../src/sink/flush-batch.js';
import { createMetrics, type Metrics } from '../../src/telemetry/metrics.js';
import { within } from '../../testkit/wait-for.js';
import { impression } from '../support/events.js';
import { uniqueName } from '../support/names.js';
import { createTestPipeline, createTopics, type TestPipeline } from '../support/pipeline.js';
import { KAFKA_BROKERS, quietLog, REDIS_URL } from '../support/services.js';

// A refusal that is not the rows' fault (a missing table, SQLSTATE 42P01)
// must neither be retried for ever (a wedge) nor turn healthy events into
// write_failed dead letters: it leaves the flush as postgres_rejected.

describe('flushBatch with a permanent PostgreSQL refusal', () => {
  let pipeline: TestPipeline;
  let producer: Producer;
  let dedup: DedupStore;
  let metrics: Metrics;

  before(async () => {
    pipeline = await createTestPipeline({ partitions: 1 });
    await createTopics(pipeline, 1);
    producer = createProducer(
      createKafka({ clientId: 'adgate-test', brokers: KAFKA_BROKERS.split(',') }, quietLog),
      quietLog,
    );
    const prefix = pipeline.env.ADGATE_REDIS_KEY_PREFIX as string;
    dedup = createRedisDedupStore(
      { url: REDIS_URL, prefix, buckets: 1024, windowMs: 3_600_000 },
      quietLog,
    );
    metrics = createMetrics();
  });
  after(async () => {
    await within(30_000, 'producer close', producer?.close() ?? Promise.resolve());
    await within(30_000, 'redis close', dedup?.close() ?? Promise.resolve());
    await metrics?.shutdown();
    if (pipeline) await within(60_000, 'pipeline cleanup', pipeline.cleanup());
  });

  it('propagates postgres_rejected at once, with no retry and no dead letter', async () => {
    await pipeline.db.pool.query('ALTER TABLE billing_hourly RENAME TO billing_hourly_gone');
    const now = Date.now();
    const messages: InboundMessage[] = Array.from({ length: 8 }, (_, i) => ({
      topic: pipeline.topic,
      partition: 0,
      offset: BigInt(i),
      key: null,
      value: Buffer.from(JSON.stringify(impression(uniqueName(`perm-${i}`)))),
      headers: {},
      timestampMs: now,
    }));
    let retriesAsked = 0;
    const deps: FlushDeps = {
      pool: pipeline.db.pool,
      dedup,
      producer,
      metrics,
      log: quietLog,
      groupId: pipeline.group,
      topic: pipeline.topic,
      dlqTopic: pipeline.dlqTopic,
      deadTopic: pipeline.deadTopic,
      dlqMaxAttempts: 3,
      window: { pastMs: 7 * 24 * 3_600_000, futureMs: 300_000 },
      maxEventBytes: 65_536,
      maxBackoffMs: 10,
      produceTimeoutMs: 10_000,
      // Bounds today's behaviour (retrying for ever) so that the test ends.
      shouldContinue: () => {
        retriesAsked += 1;
        return retriesAsked < 5;
      },
    };

    await assert.rejects(flushBatch(messages, deps, new Set()), (error) => {
      assert.ok(error instanceof DependencyRejectedError, String(error));
      assert.ok(!(error instanceof WriteRejectedError));
      assert.equal(error.reason, 'postgres_rejected');
      assert.match(error.message, /42P01/);
      return true;
    });
    assert.equal(retriesAsked, 0, 'a permanent refusal is not retried');
    assert.equal(await pipeline.endTotal(pipeline.dlqTopic), 0n, 'no dead letter');
    assert.equal(await pipeline.endTotal(pipeline.deadTopic), 0n, 'no dead letter');
    const { rows } = await pipeline.db.pool.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM ad_events',
    );
    assert.equal(rows[0]?.n, 0, 'the transaction rolled back');
  });
});
