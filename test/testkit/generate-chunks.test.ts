import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { idempotencyKey } from '../../src/event/idempotency-key.js';
import { validateEvent } from '../../src/event/validate-event.js';
import { bucketQuantile } from '../../testkit/prometheus.js';
import {
  ExpectedTotals,
  FINGERPRINT_MODULUS,
  rowWeight,
} from '../../testkit/stream/expected-totals.js';
import {
  type BillingSums,
  billingKey,
  type ChunkedStreamOptions,
  generateChunks,
  type StreamChunk,
} from '../../testkit/stream/generate-stream.js';
import { StreamRouter } from '../../testkit/stream/route-stream.js';

const NOW = Date.parse('2026-11-24T12:00:00.000Z');
const OPTIONS: ChunkedStreamOptions = {
  seed: 7,
  duplicateShare: 0.2,
  malformedShare: 0.01,
  outOfOrderShare: 0.1,
  campaigns: 20,
  ads: 50,
  publishers: 30,
  nowMs: NOW,
  chunkSize: 1_000,
  recentImpressions: 500,
  recentEvents: 300,
};

function take(options: ChunkedStreamOptions, n: number): StreamChunk[] {
  const chunks: StreamChunk[] = [];
  for (const chunk of generateChunks(options)) {
    chunks.push(chunk);
    if (chunks.length === n) break;
  }
  return chunks;
}

const WINDOW = { pastMs: 7 * 86_400_000, futureMs: 300_000 };

describe('generateChunks', () => {
  it('gives the same chunks for the same seed, and other chunks for another', () => {
    const a = take(OPTIONS, 3).map((c) => c.items.map((i) => i.json));
    const b = take(OPTIONS, 3).map((c) => c.items.map((i) => i.json));
    const c = take({ ...OPTIONS, seed: 8 }, 3).map((x) => x.items.map((i) => i.json));
    assert.deepEqual(a, b);
    assert.notDeepEqual(a, c);
  });

  it('hits the shares exactly over many chunks, with the realistic mix', () => {
    const chunks = take(OPTIONS, 10);
    const items = chunks.flatMap((c) => c.items);
    const count = (kind: string) => items.filter((i) => i.kind === kind).length;
    assert.equal(count('event'), 10_000);
    assert.equal(count('duplicate'), 2_000);
    assert.equal(count('malformed'), 100);
    assert.equal(
      chunks.reduce((a, c) => a + c.malformed, 0),
      100,
    );
    const types = chunks.flatMap((c) => c.distinct.map((e) => e.type));
    const clicks = types.filter((t) => t === 'click').length;
    const conversions = types.filter((t) => t === 'conversion').length;
    assert.ok(clicks > 350 && clicks < 600, `clicks ${clicks}`);
    assert.ok(conversions > 20 && conversions < 80, `conversions ${conversions}`);
  });

  it('makes distinct events with distinct keys, and duplicates with the key of an earlier event', () => {
    const seen = new Set<string>();
    for (const chunk of take(OPTIONS, 8)) {
      const chunkKeys = new Set<string>();
      for (const event of chunk.distinct) {
        const v = validateEvent(event, NOW, WINDOW);
        assert.ok(v.ok, JSON.stringify(event));
        const key = idempotencyKey(v.event).toString('hex');
        assert.ok(!seen.has(key) && !chunkKeys.has(key), `key of ${JSON.stringify(event)} repeats`);
        chunkKeys.add(key);
      }
      for (const item of chunk.items) {
        if (item.kind === 'malformed') {
          let json: unknown;
          try {
            json = JSON.parse(item.json);
          } catch {
            continue;
          }
          assert.equal(validateEvent(json, NOW, WINDOW).ok, false);
          continue;
        }
        const v = validateEvent(JSON.parse(item.json), NOW, WINDOW);
        assert.ok(v.ok, item.json);
        const key = idempotencyKey(v.event).toString('hex');
        assert.ok(seen.has(key) || chunkKeys.has(key), `an item with an unknown key: ${item.json}`);
      }
      for (const key of chunkKeys) seen.add(key);
    }
  });

  it('keeps occurred_at inside the hour before now', () => {
    for (const chunk of take(OPTIONS, 5)) {
      for (const e of chunk.distinct) {
        const t = Date.parse(e.occurred_at);
        assert.ok(t <= NOW && t > NOW - 3_700_000, e.occurred_at);
      }
    }
  });
});

describe('ExpectedTotals', () => {
  it('holds the fingerprint of the billing rows its events add up to', () => {
    const chunks = take(OPTIONS, 4);
    const expected = new ExpectedTotals();
    for (const chunk of chunks) expected.addChunk(chunk);
    // Billing rows the slow way, then their fingerprint row by row.
    const rows = new Map<string, BillingSums>();
    for (const e of chunks.flatMap((c) => c.distinct)) {
      const hour = new Date(Math.floor(Date.parse(e.occurred_at) / 3_600_000) * 3_600_000);
      const key = billingKey(
        hour.toISOString(),
        e.campaign_id,
        e.ad_id,
        e.publisher_id,
        e.currency ?? 'USD',
      );
      const sums = rows.get(key) ?? {
        impressions: 0,
        clicks: 0,
        conversions: 0,
        cost_micros: 0n,
        revenue_micros: 0n,
      };
      if (e.type === 'impression') sums.impressions += 1;
      if (e.type === 'click') sums.clicks += 1;
      if (e.type === 'conversion') sums.conversions += 1;
      sums.cost_micros += BigInt(e.cost_micros ?? 0);
      sums.revenue_micros += BigInt(e.revenue_micros ?? 0);
      rows.set(key, sums);
    }
    const p = BigInt(FINGERPRINT_MODULUS);
    const fp = {
      impressions: 0n,
      clicks: 0n,
      conversions: 0n,
      cost_micros: 0n,
      revenue_micros: 0n,
    };
    for (const [key, s] of rows) {
      const w = BigInt(rowWeight(key));
      fp.impressions += w * BigInt(s.impressions);
      fp.clicks += w * BigInt(s.clicks);
      fp.conversions += w * BigInt(s.conversions);
      fp.cost_micros += w * s.cost_micros;
      fp.revenue_micros += w * s.revenue_micros;
    }
    assert.deepEqual(expected.fingerprint, {
      impressions: Number(fp.impressions % p),
      clicks: Number(fp.clicks % p),
      conversions: Number(fp.conversions % p),
      cost_micros: Number(fp.cost_micros % p),
      revenue_micros: Number(fp.revenue_micros % p),
    });
    assert.equal(expected.distinct, 4_000);
    assert.equal(expected.malformed, 40);
  });
});

describe('StreamRouter', () => {
  it('sends, by the end of a phase, exactly the chunks it counted', () => {
    const expected = new ExpectedTotals();
    const router = new StreamRouter(generateChunks(OPTIONS), expected, {
      seed: 1,
      kafkaShare: 0.3,
      retryShare: 0.1,
      batchSize: 300,
      kafkaBatch: 200,
    });
    let items = 0;
    let malformed = 0;
    let kafka = 0;
    let retries = 0;
    for (let n = 0; n < 25; n += 1) {
      const unit = router.next(false);
      assert.ok(unit);
      items += unit.items;
      malformed += unit.malformed;
      if (unit.kind === 'kafka') kafka += unit.items;
      else if (unit.retry) retries += 1;
    }
    for (let unit = router.next(true); unit !== undefined; unit = router.next(true)) {
      items += unit.items;
      malformed += unit.malformed;
      if (unit.kind === 'kafka') kafka += unit.items;
    }
    const chunks = expected.distinct / 1_000;
    assert.ok(Number.isInteger(chunks) && chunks > 0);
    assert.equal(items, chunks * 1_210);
    assert.equal(malformed, expected.malformed);
    assert.ok(kafka > items * 0.2 && kafka < items * 0.4, `kafka share ${kafka / items}`);
    assert.ok(retries >= 0);
  });
});

describe('bucketQuantile', () => {
  it('interpolates inside the bucket a quantile falls in', () => {
    const buckets = [
      { le: 0.1, count: 50 },
      { le: 0.2, count: 90 },
      { le: 1, count: 100 },
      { le: Number.POSITIVE_INFINITY, count: 100 },
    ];
    assert.equal(bucketQuantile(buckets, 0.5), 0.1);
    assert.ok(Math.abs((bucketQuantile(buckets, 0.7) ?? 0) - 0.15) < 1e-9);
    assert.ok(Math.abs((bucketQuantile(buckets, 0.95) ?? 0) - 0.6) < 1e-9);
    assert.equal(bucketQuantile([], 0.5), undefined);
  });
});
