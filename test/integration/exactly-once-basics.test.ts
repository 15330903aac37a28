import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { type GatewayProcess, startGatewayProcess } from '../../testkit/gateway-process.js';
import { fetchMetrics, metricValue } from '../../testkit/prometheus.js';
import { waitFor } from '../../testkit/wait-for.js';
import { click, DEV_KEY, impression, postEvents } from '../support/events.js';
import { createTestPipeline, produceRaw, type TestPipeline } from '../support/pipeline.js';
import { REDIS_URL } from '../support/services.js';

describe('exactly once: HTTP and Kafka ingress into one row', () => {
  let pipeline: TestPipeline;
  let gateway: GatewayProcess;

  before(async () => {
    pipeline = await createTestPipeline();
    gateway = await startGatewayProcess(pipeline.env);
  });
  after(async () => {
    await gateway?.stop('SIGTERM');
    await pipeline?.cleanup();
  });

  it('the same event twice over HTTP and once straight into Kafka gives one row', async () => {
    const event = impression(`imp-${Date.now()}`);
    const first = await postEvents(gateway.url, event);
    assert.equal(first.status, 202, JSON.stringify(first.body));
    assert.deepEqual(first.body, { accepted: 1, rejected: [] });
    const second = await postEvents(gateway.url, [event]);
    assert.equal(second.status, 202);
    await produceRaw(pipeline, [{ key: event.impression_id, value: JSON.stringify(event) }]);

    await waitFor(
      'all three messages committed',
      async () => (await pipeline.committedTotal()) === 3n,
    );
    const { rows } = await pipeline.db.pool.query(
      'SELECT impression_id, source, cost_micros::text AS cost FROM ad_events',
    );
    assert.deepEqual(rows, [{ impression_id: event.impression_id, source: 'dev', cost: '1000' }]);
    const billing = await pipeline.db.pool.query(
      'SELECT impressions::int, cost_micros::text AS cost FROM billing_hourly',
    );
    assert.deepEqual(billing.rows, [{ impressions: 1, cost: '1000' }]);
  });

  it('answers the billing query with the counted rows', async () => {
    // Whole UTC hours: the hourly buckets' boundaries (SPEC §3).
    const hour = Math.floor(Date.now() / 3600_000) * 3600_000;
    const from = new Date(hour - 3 * 3600_000).toISOString();
    const to = new Date(hour + 2 * 3600_000).toISOString();
    const res = await fetch(
      `${gateway.url}/v1/billing/hourly?from=${from}&to=${to}&campaign_id=camp-1`,
      { headers: { authorization: `Bearer ${DEV_KEY}` } },
    );
    assert.equal(res.status, 200);
    const body = (await res.json()) as { rows: { impressions: number; cost_micros: string }[] };
    assert.equal(body.rows.length, 1);
    assert.equal(body.rows[0]?.impressions, 1);
    assert.equal(body.rows[0]?.cost_micros, '1000');
  });

  it('counts on /metrics the clicks a flush wrote, and those whose impression had not come', async () => {
    // Issue 13's orphan rate: adgate_sink_orphan_events_total over
    // adgate_sink_written_events_total, by type, as the sink flushes.
    const counts = async () => {
      const samples = await fetchMetrics(gateway.url);
      const of = (name: string, type: string) => metricValue(samples, name, { type }) ?? 0;
      return {
        written: of('adgate_sink_written_events_total', 'click'),
        orphans: of('adgate_sink_orphan_events_total', 'click'),
        impressions: of('adgate_sink_written_events_total', 'impression'),
      };
    };
    const before = await counts();
    const committedBefore = await pipeline.committedTotal();
    const id = `imp-orph-${Date.now()}`;
    // One click whose impression never comes, one whose impression is written first.
    const seen = impression(`${id}-seen`);
    assert.equal((await postEvents(gateway.url, seen)).status, 202);
    await waitFor(
      'the impression committed',
      async () => (await pipeline.committedTotal()) > committedBefore,
    );
    const res = await postEvents(gateway.url, [click(`${id}-never`), click(`${id}-seen`)]);
    assert.equal(res.status, 202, JSON.stringify(res.body));
    await waitFor(
      'the clicks committed',
      async () => (await pipeline.committedTotal()) === committedBefore + 3n,
    );
    const after = await counts();
    assert.deepEqual(
      {
        written: after.written - before.written,
        orphans: after.orphans - before.orphans,
        impressions: after.impressions - before.impressions,
      },
      { written: 2, orphans: 1, impressions: 1 },
    );
  });

  it('a request larger than one Kafka produce request lands whole, each event once', async () => {
    // 5,000 events of ≈ 400 bytes: several produce requests (create-producer.ts
    // caps one at 256 KiB), sent one after another before the 202.
    const prefix = `imp-big-${Date.now()}`;
    const events = Array.from({ length: 5_000 }, (_, i) => ({
      ...impression(`${prefix}-${i}`, { campaign_id: 'camp-big' }),
      attributes: { placement: 'x'.repeat(120), slot: String(i) },
    }));
    const bytes = Buffer.byteLength(JSON.stringify(events));
    assert.ok(bytes > 4 * 256 * 1024, `the body (${bytes} bytes) spans several produce requests`);
    const committedBefore = await pipeline.committedTotal();
    const res = await postEvents(gateway.url, events);
    assert.equal(res.status, 202, JSON.stringify(res.body));
    assert.deepEqual(res.body, { accepted: 5_000, rejected: [] });

    await waitFor(
      'the 5,000 messages committed',
      async () => (await pipeline.committedTotal()) === committedBefore + 5_000n,
    );
    const { rows } = await pipeline.db.pool.query<{ n: number; distinct_ids: number }>(
      `SELECT count(*)::int AS n, count(DISTINCT impression_id)::int AS distinct_ids
         FROM ad_events WHERE campaign_id = 'camp-big'`,
    );
    assert.deepEqual(rows, [{ n: 5_000, distinct_ids: 5_000 }]);
  });
});

describe('a Redis window shorter than the dedup window', () => {
  const REDIS_WINDOW_MS = 60_000;
  let pipeline: TestPipeline;
  let gateway: GatewayProcess;
  const redis = new Redis(REDIS_URL);

  before(async () => {
    pipeline = await createTestPipeline({
      env: { ADGATE_DEDUP_REDIS_WINDOW_MS: String(REDIS_WINDOW_MS) },
    });
    gateway = await startGatewayProcess(pipeline.env);
  });
  after(async () => {
    await gateway?.stop('SIGTERM');
    const keys = await redis.keys(`${pipeline?.env.ADGATE_REDIS_KEY_PREFIX}:dd:*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
    await pipeline?.cleanup();
  });

  it('keeps keys in Redis by generations of ADGATE_DEDUP_REDIS_WINDOW_MS', async () => {
    const before = Math.floor(Date.now() / REDIS_WINDOW_MS);
    const response = await postEvents(gateway.url, impression(`imp-rw-${Date.now()}`));
    assert.equal(response.status, 202);
    await waitFor('the event committed', async () => (await pipeline.committedTotal()) === 1n);
    const after = Math.floor(Date.now() / REDIS_WINDOW_MS);
    const names = await redis.keys(`${pipeline.env.ADGATE_REDIS_KEY_PREFIX}:dd:*`);
    assert.equal(names.length, 1, 'one bucket holds the one key');
    const generation = Number((names[0] as string).split(':').at(-2));
    assert.ok(
      generation >= before && generation <= after,
      `generation ${generation} counts minutes (${before}..${after}), not dedup windows`,
    );
    assert.equal(
      await redis.pexpiretime(names[0] as string),
      (generation + 2) * REDIS_WINDOW_MS + 60_000,
    );
  });
});
