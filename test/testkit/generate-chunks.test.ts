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
  type ChunkedStreamOptions,
  generateChunks,
  type StreamChunk,
} from '../../testkit/stream/generate-chunks.js';
import { StreamRouter } from '../../testkit/stream/route-stream.js';
import type { StreamEvent } from '../../testkit/stream/stream-events.js';

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
        const key: string = idempotencyKey(v.event);
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
        const key: string = idempotencyKey(v.event);
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
  // Hand-made events with known sums, so that the expectation comes from
  // the definition (SPEC §5 billing rows; the fingerprint's formula in
  // expected-totals.ts), not from a second copy of the code.
  const placement1 = { campaign_id: 'camp-1', ad_id: 'ad-1', publisher_id: 'pub-1' };
  const placement2 = { campaign_id: 'camp-2', ad_id: 'ad-7', publisher_id: 'pub-3' };
  const events: StreamEvent[] = [
    {
      type: 'impression',
      impression_id: 'imp-a',
      occurred_at: '2026-11-24T11:05:00.000Z',
      ...placement1,
      currency: 'USD',
      cost_micros: 1_500,
    },
    {
      type: 'impression',
      impression_id: 'imp-b',
      occurred_at: '2026-11-24T11:59:59.999Z',
      ...placement1,
      cost_micros: 2_500, // no currency: USD
    },
    {
      type: 'click',
      impression_id: 'imp-c',
      occurred_at: '2026-11-24T10:30:00.000Z',
      ...placement2,
      currency: 'EUR',
      cost_micros: 400_000,
    },
    {
      type: 'conversion',
      impression_id: 'imp-c',
      conversion_id: 'cv-1',
      occurred_at: '2026-11-24T10:31:00.000Z',
      ...placement2,
      currency: 'EUR',
      cost_micros: 0,
      revenue_micros: 1_000_000_000, // above the modulus: reduced, not overflowed
    },
  ];

  it('weighs a billing row by the first 24 bits of the MD5 of its key', () => {
    // printf '%s' '2026-11-24T11:00:00.000Z|camp-1|ad-1|pub-1|USD' | md5sum → 1ea2b1…
    assert.equal(rowWeight('2026-11-24T11:00:00.000Z|camp-1|ad-1|pub-1|USD'), 0x1ea2b1);
    assert.equal(rowWeight('2026-11-24T10:00:00.000Z|camp-2|ad-7|pub-3|EUR'), 0x5a3779);
  });

  it('sums the events per type, per (hour, campaign, currency), and in the fingerprint', () => {
    const expected = new ExpectedTotals();
    expected.addChunk({ distinct: events, malformed: 3 });
    assert.equal(expected.distinct, 4);
    assert.equal(expected.malformed, 3);
    assert.deepEqual(expected.byType, { impression: 2, click: 1, conversion: 1 });
    assert.deepEqual(Object.fromEntries(expected.byCampaignHour), {
      '2026-11-24T11:00:00.000Z|camp-1|USD': {
        impressions: 2,
        clicks: 0,
        conversions: 0,
        cost_micros: 4_000n,
        revenue_micros: 0n,
      },
      '2026-11-24T10:00:00.000Z|camp-2|EUR': {
        impressions: 0,
        clicks: 1,
        conversions: 1,
        cost_micros: 400_000n,
        revenue_micros: 1_000_000_000n,
      },
    });
    // Rows: w1 = 0x1ea2b1 (2 impressions, cost 4,000), w2 = 0x5a3779 (1 click,
    // 1 conversion, cost 400,000, revenue 10^9); each sum Σ w × value mod 536,870,909.
    assert.equal(FINGERPRINT_MODULUS, 536_870_909);
    assert.deepEqual(expected.fingerprint, {
      impressions: 4_015_458,
      clicks: 5_912_441,
      conversions: 5_912_441,
      cost_micros: 37_898_220,
      revenue_micros: 327_653_889,
    });
  });

  it('gives the same fingerprint whatever the order, and another for one micro more', () => {
    const forward = new ExpectedTotals();
    for (const e of events) forward.addEvent(e);
    const backward = new ExpectedTotals();
    for (const e of [...events].reverse()) backward.addEvent(e);
    assert.deepEqual(backward.fingerprint, forward.fingerprint);
    const changed = new ExpectedTotals();
    for (const e of events)
      changed.addEvent(e.impression_id === 'imp-b' ? { ...e, cost_micros: 2_501 } : e);
    assert.notEqual(changed.fingerprint.cost_micros, forward.fingerprint.cost_micros);
  });

  it('counts every distinct event and malformed message of the chunks it is given', () => {
    const expected = new ExpectedTotals();
    for (const chunk of take(OPTIONS, 4)) expected.addChunk(chunk);
    assert.equal(expected.distinct, 4_000);
    assert.equal(expected.malformed, 40);
  });
  it('merges totals counted apart into the same totals as counting the chunks in one', () => {
    const whole = new ExpectedTotals();
    const merged = new ExpectedTotals();
    for (const chunk of take(OPTIONS, 3)) {
      whole.addChunk(chunk);
      const apart = new ExpectedTotals();
      apart.addChunk(chunk);
      merged.merge(apart);
    }
    assert.equal(merged.distinct, whole.distinct);
    assert.deepEqual(merged.byType, whole.byType);
    assert.equal(merged.malformed, whole.malformed);
    assert.deepEqual(merged.fingerprint, whole.fingerprint);
    assert.deepEqual(
      [...merged.byCampaignHour].sort(([a], [b]) => a.localeCompare(b)),
      [...whole.byCampaignHour].sort(([a], [b]) => a.localeCompare(b)),
    );
    const once = new ExpectedTotals();
    once.addChunk(take(OPTIONS, 1)[0] as StreamChunk);
    assert.notDeepEqual(once.fingerprint, whole.fingerprint);
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
