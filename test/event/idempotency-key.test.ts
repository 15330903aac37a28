import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { idempotencyKey, KEY_RULES, keyBytes } from '../../src/event/idempotency-key.js';
import { validateEvent } from '../../src/event/validate-event.js';

const NOW = Date.parse('2026-11-24T02:00:00Z');
const WINDOW = { pastMs: 7 * 86_400_000, futureMs: 300_000 };
const base = { impression_id: 'imp-1', campaign_id: 'c1', ad_id: 'a1', publisher_id: 'p1' };

function keyOf(event: Record<string, unknown>): string {
  const result = validateEvent(event, NOW, WINDOW);
  assert.ok(result.ok, JSON.stringify(result));
  return keyBytes(idempotencyKey(result.event)).toString('hex');
}

// Vectors computed independently (Python hashlib) from SPEC §2:
// sha256(fields joined by 0x1F)[:16], hex.
describe('idempotencyKey (SPEC §2)', () => {
  it('impression: type and impression_id only', () => {
    const key = keyOf({ ...base, type: 'impression', occurred_at: '2026-11-24T01:00:00Z' });
    assert.equal(key, 'e1c23de3d9c88d12bf6aaddddaf61b9c');
    const later = keyOf({
      ...base,
      type: 'impression',
      occurred_at: '2026-11-24T01:30:00Z',
      cost_micros: 5,
      campaign_id: 'other',
    });
    assert.equal(later, key, 'fields outside the rule must not change the key');
  });

  it('click: type, impression_id and normalised occurred_at', () => {
    const key = keyOf({ ...base, type: 'click', occurred_at: '2026-11-24T02:00:00+01:00' });
    assert.equal(key, '2f9bde7f909db03e421f0e4208db7d88');
    assert.equal(keyOf({ ...base, type: 'click', occurred_at: '2026-11-24T01:00:00Z' }), key);
    assert.notEqual(
      keyOf({ ...base, type: 'click', occurred_at: '2026-11-24T01:00:00.001Z' }),
      key,
      'a click one millisecond later is another click',
    );
  });

  it('click with milliseconds', () => {
    assert.equal(
      keyOf({ ...base, type: 'click', occurred_at: '2026-11-24T01:00:00.123999Z' }),
      '71706fc5d17f71a96e3c9ba9d3f20caa',
    );
  });

  it('conversion: type, impression_id and conversion_id', () => {
    const key = keyOf({
      ...base,
      type: 'conversion',
      conversion_id: 'conv-9',
      occurred_at: '2026-11-24T01:00:00Z',
      revenue_micros: 100,
    });
    assert.equal(key, '29533d98235a326290d5db8c22a52d3a');
    assert.equal(
      keyOf({
        ...base,
        type: 'conversion',
        conversion_id: 'conv-9',
        occurred_at: '2026-11-24T00:00:00Z',
      }),
      key,
    );
  });

  it('types never collide on the same impression', () => {
    const keys = new Set([
      keyOf({ ...base, type: 'impression', occurred_at: '2026-11-24T01:00:00Z' }),
      keyOf({ ...base, type: 'click', occurred_at: '2026-11-24T01:00:00Z' }),
      keyOf({
        ...base,
        type: 'conversion',
        conversion_id: 'x',
        occurred_at: '2026-11-24T01:00:00Z',
      }),
    ]);
    assert.equal(keys.size, 3);
  });

  it('is the table of rules that SPEC §2 lists', () => {
    assert.deepEqual(KEY_RULES, {
      impression: ['type', 'impression_id'],
      click: ['type', 'impression_id', 'occurred_at'],
      conversion: ['type', 'impression_id', 'conversion_id'],
    });
  });
});
