import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type GatewayProcess, startGatewayProcess } from '../../testkit/gateway-process.js';
import { fetchMetrics, metricValue } from '../../testkit/prometheus.js';
import { generateStream } from '../../testkit/stream/generate-stream.js';
import { verifyOutcome } from '../../testkit/verify-outcome.js';
import { waitFor, within } from '../../testkit/wait-for.js';
import { impression } from '../support/events.js';
import {
  createTestPipeline,
  createTopics,
  produceRaw,
  readTopic,
  type TestPipeline,
  waitAllCommitted,
} from '../support/pipeline.js';

// SPEC §4: a write_failed letter is retried from the DLQ with backoff, up
// to ADGATE_DLQ_MAX_ATTEMPTS, then it is in the dead topic; a retried
// message goes back with its key and headers and adgate-attempts raised.
// The cause is real: CHECK constraints PostgreSQL enforces on ad_events.

const FAST_DLQ = {
  ADGATE_DLQ_MAX_ATTEMPTS: '3',
  ADGATE_DLQ_BACKOFF_MS: '200',
  ADGATE_DLQ_MAX_BACKOFF_MS: '1000',
};

describe('the DLQ consumer retries write_failed letters', () => {
  let pipeline: TestPipeline;
  const gateways: GatewayProcess[] = [];

  before(async () => {
    pipeline = await createTestPipeline({ partitions: 2, env: FAST_DLQ });
    await createTopics(pipeline, 2);
  });
  after(async () => {
    try {
      for (const g of gateways) await g.stop('SIGTERM');
    } finally {
      await within(60_000, 'pipeline cleanup', pipeline?.cleanup() ?? Promise.resolve());
    }
  });

  it('lands a fixed one exactly once, sends one still refused to the dead topic, and healthy traffic lands meanwhile', async () => {
    const { pool } = pipeline.db;
    const tag = Date.now().toString(36);
    await pool.query(
      "ALTER TABLE ad_events ADD CONSTRAINT fixable CHECK (campaign_id <> 'fixable')",
    );
    await pool.query("ALTER TABLE ad_events ADD CONSTRAINT stuck CHECK (campaign_id <> 'stuck')");
    const fixableId = `fixable-${tag}`;
    const stuckId = `stuck-${tag}`;
    const refused = [
      { key: fixableId, value: JSON.stringify(impression(fixableId, { campaign_id: 'fixable' })) },
      { key: stuckId, value: JSON.stringify(impression(stuckId, { campaign_id: 'stuck' })) },
    ];
    const { items, expected } = generateStream({
      seed: 61_001,
      distinct: 400,
      duplicateShare: 0.05,
      malformedShare: 0,
      outOfOrderShare: 0,
      campaigns: 10,
      ads: 20,
      publishers: 10,
    });
    const healthy = items.map((i) => ({ key: i.key, value: i.json }));
    const half = Math.floor(healthy.length / 2);

    // The sink alone first: both refused events wait in the DLQ, none retried yet.
    const sink = await startGatewayProcess({ ...pipeline.env, ADGATE_ROLES: 'ingress,sink' });
    gateways.push(sink);
    await produceRaw(pipeline, [...healthy.slice(0, half), ...refused]);
    await waitAllCommitted(pipeline, sink.output);
    assert.equal(await pipeline.endTotal(pipeline.dlqTopic), 2n, 'both refused events in the DLQ');

    // The operator removes one cause; the other stays.
    await pool.query('ALTER TABLE ad_events DROP CONSTRAINT fixable');
    const dlq = await startGatewayProcess({ ...pipeline.env, ADGATE_ROLES: 'dlq' });
    gateways.push(dlq);
    // Healthy traffic on the same partitions while the retries go on.
    await produceRaw(pipeline, healthy.slice(half));

    const dead = await readTopic(pipeline, pipeline.deadTopic, 1, 90_000);
    await waitAllCommitted(pipeline, () => sink.output() + dlq.output());

    const rows = async (id: string) =>
      (await pool.query('SELECT 1 FROM ad_events WHERE impression_id = $1', [id])).rowCount;
    assert.equal(await rows(fixableId), 1, 'the fixed one landed once');
    assert.equal(await rows(stuckId), 0, 'the refused one did not land');

    const letter = dead[0];
    assert.ok(letter);
    assert.equal(letter.key, stuckId);
    assert.equal(letter.headers['adgate-reason'], 'write_failed');
    assert.equal(letter.headers['adgate-attempts'], '3');
    assert.equal(letter.headers['adgate-original-topic'], pipeline.topic);
    assert.match(letter.headers['adgate-error'] ?? '', /stuck/);
    assert.ok(letter.headers['adgate-first-failed-at']);
    assert.ok(
      Date.parse(letter.headers['adgate-last-failed-at'] ?? '') >
        Date.parse(letter.headers['adgate-first-failed-at'] ?? ''),
      'last failure after the first',
    );
    assert.deepEqual(
      JSON.parse(letter.value?.toString() ?? ''),
      JSON.parse(refused[1]?.value ?? ''),
    );

    // stuck failed as attempts 1 and 2 (DLQ) and 3 (dead); fixable once.
    assert.equal(await pipeline.endTotal(pipeline.dlqTopic), 3n, 'DLQ letters');
    assert.equal(await pipeline.endTotal(pipeline.deadTopic), 1n, 'dead letters');
    await waitFor('the DLQ consumer to have handled all three', async () => {
      const samples = await fetchMetrics(dlq.url);
      return (
        metricValue(samples, 'adgate_dlq_outcomes_total', {
          outcome: 'retried',
          reason: 'write_failed',
        }) === 3
      );
    });

    // The sink counts what came back and what went dead; the DLQ consumer
    // measures its depth (nothing left to handle) and the letters in each log.
    const sinkSamples = await fetchMetrics(sink.url);
    assert.equal(
      metricValue(sinkSamples, 'adgate_sink_redriven_messages_total', { via: 'retry' }),
      3,
    );
    assert.equal(metricValue(sinkSamples, 'adgate_dlq_messages_total', { topic: 'dead' }), 1);
    assert.equal(metricValue(sinkSamples, 'adgate_dlq_messages_total', { topic: 'dlq' }), 3);
    await waitFor(
      'the DLQ gauges',
      async () => {
        const samples = await fetchMetrics(dlq.url);
        return (
          metricValue(samples, 'adgate_dlq_depth') === 0 &&
          metricValue(samples, 'adgate_dlq_letters', { topic: 'dlq' }) === 3 &&
          metricValue(samples, 'adgate_dlq_letters', { topic: 'dead' }) === 1
        );
      },
      30_000,
      250,
    );

    // Every healthy event landed, once (the fixed one aside, checked above).
    await pool.query('DELETE FROM ad_events WHERE impression_id = $1', [fixableId]);
    await pool.query("DELETE FROM billing_hourly WHERE campaign_id = 'fixable'");
    const verdict = await verifyOutcome(pool, expected);
    assert.deepEqual(verdict.differences, []);
    assert.equal(verdict.actual.distinct, expected.distinct);
  });
});
