import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type GatewayProcess, startGatewayProcess } from '../../testkit/gateway-process.js';
import { fetchMetrics, metricValue } from '../../testkit/prometheus.js';
import { waitFor, within } from '../../testkit/wait-for.js';
import { impression } from '../support/events.js';
import {
  createTestPipeline,
  createTopics,
  produceRaw,
  readTopic,
  type TestPipeline,
} from '../support/pipeline.js';

// A letter waiting for its backoff never blocks the letters behind it
// (issue 11), and the DLQ partition's committed offset stays at it so that
// nothing is lost; at a graceful stop it is copied to the DLQ tail and the
// commit moves past it, so that the next instance handles nothing twice.

const LONG_BACKOFF = { ADGATE_DLQ_BACKOFF_MS: '600000', ADGATE_DLQ_MAX_BACKOFF_MS: '600000' };

function letter(id: string, reason: string, lastFailedAt: string) {
  return {
    key: id,
    value: JSON.stringify(impression(id)),
    headers: {
      'adgate-reason': reason,
      'adgate-error': 'test letter',
      'adgate-attempts': '1',
      'adgate-first-failed-at': lastFailedAt,
      'adgate-last-failed-at': lastFailedAt,
    },
  };
}

describe('a DLQ letter waiting for its backoff', () => {
  let pipeline: TestPipeline;
  let gateway: GatewayProcess | undefined;

  before(async () => {
    pipeline = await createTestPipeline({ partitions: 1, env: LONG_BACKOFF });
    await createTopics(pipeline, 1);
  });
  after(async () => {
    try {
      await gateway?.stop('SIGTERM');
    } finally {
      await within(60_000, 'pipeline cleanup', pipeline?.cleanup() ?? Promise.resolve());
    }
  });

  const dlqCommitted = async () => {
    const admin = pipeline.kafka.admin();
    await admin.connect();
    try {
      const [found] = await admin.fetchOffsets({
        groupId: `${pipeline.group}.dlq`,
        topics: [pipeline.dlqTopic],
      });
      return found?.partitions[0]?.offset;
    } finally {
      await admin.disconnect();
    }
  };

  it('lets the letters behind it through, holds the commit at it, and hands it over at a stop', async () => {
    const tag = Date.now().toString(36);
    const now = new Date().toISOString();
    const longAgo = new Date(Date.now() - 3_600_000).toISOString();
    await produceRaw(
      pipeline,
      [
        letter(`waits-${tag}`, 'write_failed', now), // due in ten minutes
        letter(`kept-${tag}`, 'invalid', now),
        letter(`due-${tag}`, 'write_failed', longAgo), // due already
      ],
      pipeline.dlqTopic,
    );
    gateway = await startGatewayProcess(pipeline.env);
    const running = gateway;
    const outcome = async (url: string, name: string) =>
      metricValue(await fetchMetrics(url), 'adgate_dlq_outcomes_total', { outcome: name }) ?? 0;
    await waitFor('the due letter to land', async () => {
      const { rowCount } = await pipeline.db.pool.query(
        'SELECT 1 FROM ad_events WHERE impression_id = $1',
        [`due-${tag}`],
      );
      return rowCount === 1;
    });
    await waitFor('the letters behind the waiting one handled', async () => {
      return (
        (await outcome(running.url, 'kept')) === 1 && (await outcome(running.url, 'retried')) === 1
      );
    });
    const samples = await fetchMetrics(running.url);
    assert.equal(metricValue(samples, 'adgate_dlq_waiting_letters'), 1);
    assert.equal(await dlqCommitted(), '0', 'the commit stays at the waiting letter');

    assert.equal((await running.stop('SIGTERM')).code, 0);
    gateway = undefined;
    assert.equal(
      await pipeline.endTotal(pipeline.dlqTopic),
      4n,
      'the waiting letter copied to the tail',
    );
    assert.equal(await dlqCommitted(), '3', 'the commit moved past what was handled');
    const letters = await readTopic(pipeline, pipeline.dlqTopic, 4);
    const copy = letters.find((m) => m.offset === '3');
    assert.equal(copy?.key, `waits-${tag}`);
    assert.equal(copy?.headers['adgate-last-failed-at'], now, 'its schedule unchanged');

    // The next instance holds the copy again and handles nothing twice.
    gateway = await startGatewayProcess(pipeline.env);
    const next = gateway;
    await waitFor('the copy to be held', async () => {
      return metricValue(await fetchMetrics(next.url), 'adgate_dlq_waiting_letters') === 1;
    });
    assert.equal(await outcome(next.url, 'kept'), 0);
    assert.equal(await outcome(next.url, 'retried'), 0);
  });
});
