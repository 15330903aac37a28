import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { validateEvent } from '../../src/event/validate-event.js';

const NOW = Date.parse('2026-11-24T02:00:00Z');
const WINDOW = { pastMs: 7 * 86_400_000, futureMs: 300_000 };
const valid = {
  type: 'impression',
  impression_id: 'imp-1',
  occurred_at: '2026-11-24T01:00:00Z',
  campaign_id: 'c1',
  ad_id: 'a1',
  publisher_id: 'p1',
};

function issuesOf(event: unknown): string[] {
  const result = validateEvent(event, NOW, WINDOW);
  assert.equal(result.ok, false, `expected ${JSON.stringify(event)} to be invalid`);
  return result.ok ? [] : result.issues.map((i) => i.path);
}

describe('validateEvent (SPEC §1)', () => {
  it('applies the defaults', () => {
    const result = validateEvent(valid, NOW, WINDOW);
    assert.ok(result.ok);
    assert.equal(result.event.cost_micros, 0);
    assert.equal(result.event.revenue_micros, 0);
    assert.equal(result.event.currency, 'USD');
    assert.equal(result.event.occurred_at, '2026-11-24T01:00:00.000Z');
  });

  it('rejects unknown fields, so a typo in a money field cannot vanish', () => {
    assert.ok(issuesOf({ ...valid, cost_micro: 5 }).length > 0);
  });

  it('rejects floats, strings and negatives in money fields', () => {
    assert.deepEqual(issuesOf({ ...valid, cost_micros: 1.5 }), ['cost_micros']);
    assert.deepEqual(issuesOf({ ...valid, cost_micros: '100' }), ['cost_micros']);
    assert.deepEqual(issuesOf({ ...valid, revenue_micros: -1 }), ['revenue_micros']);
    assert.deepEqual(issuesOf({ ...valid, cost_micros: 1e15 + 1 }), ['cost_micros']);
    assert.ok(validateEvent({ ...valid, cost_micros: 1e15 }, NOW, WINDOW).ok);
  });

  it('requires conversion_id on conversions and forbids it elsewhere', () => {
    assert.deepEqual(issuesOf({ ...valid, type: 'conversion' }), ['conversion_id']);
    assert.deepEqual(issuesOf({ ...valid, conversion_id: 'x' }), ['conversion_id']);
  });

  it('checks the identifier alphabet and lengths', () => {
    assert.deepEqual(issuesOf({ ...valid, impression_id: 'a b' }), ['impression_id']);
    assert.deepEqual(issuesOf({ ...valid, campaign_id: 'x'.repeat(65) }), ['campaign_id']);
    assert.deepEqual(issuesOf({ ...valid, impression_id: '' }), ['impression_id']);
    assert.ok(
      validateEvent({ ...valid, impression_id: 'A.b_c:d-1'.padEnd(128, 'x') }, NOW, WINDOW).ok,
    );
  });

  it('checks currency and attributes', () => {
    assert.deepEqual(issuesOf({ ...valid, currency: 'usd' }), ['currency']);
    const many = Object.fromEntries(Array.from({ length: 33 }, (_, i) => [`k${i}`, 'v']));
    assert.deepEqual(issuesOf({ ...valid, attributes: many }), ['attributes']);
    assert.ok(issuesOf({ ...valid, attributes: { k: 1 } }).length > 0);
    assert.ok(issuesOf({ ...valid, attributes: { k: 'v'.repeat(257) } }).length > 0);
  });

  it('enforces the acceptance window around the reference time', () => {
    assert.deepEqual(issuesOf({ ...valid, occurred_at: '2026-11-17T01:59:59Z' }), ['occurred_at']);
    assert.ok(validateEvent({ ...valid, occurred_at: '2026-11-17T02:00:00Z' }, NOW, WINDOW).ok);
    assert.ok(validateEvent({ ...valid, occurred_at: '2026-11-24T02:05:00Z' }, NOW, WINDOW).ok);
    assert.deepEqual(issuesOf({ ...valid, occurred_at: '2026-11-24T02:05:00.001Z' }), [
      'occurred_at',
    ]);
  });

  it('rejects things that are not objects', () => {
    for (const bad of [null, 42, 'x', [valid]]) assert.ok(issuesOf(bad).length > 0);
  });
});
