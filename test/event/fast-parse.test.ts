import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { eventSchema } from '../../src/event/event-schema.js';
import { fastParse, fastPathEnabled } from '../../src/event/fast-parse.js';
import { generateChunks } from '../../testkit/stream/generate-chunks.js';
import { createRandom } from '../../testkit/stream/stream-events.js';

// The fast path of fast-parse.ts may only ever say what zod says: for
// every input it vouches for, zod accepts it too and outputs the same
// object, keys in the same order. Everything else it leaves to zod.

type Random = () => number;
const pick = <T>(random: Random, list: readonly T[]): T =>
  list[Math.floor(random() * list.length)] as T;

const ID_EDGES = ['', 'a', 'x'.repeat(64), 'x'.repeat(65), 'x'.repeat(128), 'x'.repeat(129)];
const WEIRD = [null, true, 0, -0, 1.5, -1, 1e15, 1e15 + 2, 2 ** 53, '', '0', 'USD', [], {}];
// Every field the schema knows: the fuzz follows the schema as it changes.
const FIELDS = Object.keys(eventSchema.shape);

/** Values that sit on either side of the schema's rules, per field or for any. */
function mutate(event: Record<string, unknown>, random: Random): void {
  const field = pick(random, FIELDS);
  const choices: unknown[] = [...WEIRD, ...ID_EDGES, 'a b', 'é', 'A.b_c:d-1'];
  if (field === 'type') choices.push('impression', 'click', 'conversion', 'view', 'Click');
  if (field === 'currency') choices.push('EUR', 'eur', 'EURO', 'E1R');
  if (field.endsWith('_micros')) choices.push(0, 1, 999, 1e15 - 1, 1e15 + 1, -0.5, 12.0);
  if (field === 'occurred_at') choices.push('2026-01-01T00:00:00Z', 'x'.repeat(65));
  if (field === 'attributes') choices.push(...attributeVariants());
  const roll = random();
  if (roll < 0.15) delete event[field];
  else if (roll < 0.2) event[pick(random, ['extra', 'cost_mircos', 'Type'])] = 1;
  else event[field] = pick(random, choices);
}

function attributeVariants(): unknown[] {
  const many = (n: number) =>
    Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, 'v']));
  return [
    { k: 'v' },
    { k: 1 },
    { k: null },
    { '': 'v' },
    { ['k'.repeat(64)]: 'v' },
    { ['k'.repeat(65)]: 'v' },
    { k: 'v'.repeat(256) },
    { k: 'v'.repeat(257) },
    many(32),
    many(33),
    JSON.parse('{"__proto__":"x","constructor":"y"}'),
    JSON.parse('{"__proto__":5}'),
    [['k', 'v']],
    'k=v',
  ];
}

function assertAgrees(input: unknown, what: string): boolean {
  const fast = fastParse(input);
  if (fast === undefined) return false;
  const zod = eventSchema.safeParse(input);
  assert.ok(zod.success, `${what}: the fast path vouched for what zod refuses`);
  assert.deepEqual(fast, zod.data, `${what}: the same output`);
  assert.deepEqual(Object.keys(fast), Object.keys(zod.data), `${what}: keys in zod's order`);
  assert.deepEqual(
    Object.keys(fast.attributes ?? {}),
    Object.keys(zod.data.attributes ?? {}),
    `${what}: attribute keys`,
  );
  return true;
}

function generatedEvents(count: number): Record<string, unknown>[] {
  const chunks = generateChunks({
    seed: 7,
    duplicateShare: 0.1,
    malformedShare: 0,
    outOfOrderShare: 0,
    chunkSize: count,
  });
  const { items } = chunks.next().value;
  return items.map((item) => JSON.parse(item.json) as Record<string, unknown>);
}

describe('fastParse, the fast path of validateEvent (zod stays the source of truth)', () => {
  it('compiles from the schema', () => {
    assert.ok(fastPathEnabled, 'a schema change turned the fast path off');
  });

  it('takes every valid event of the generated stream, with zod’s very output', () => {
    const events = generatedEvents(2_000);
    for (const [i, event] of events.entries()) {
      assert.ok(assertAgrees(event, `event ${i}`), `event ${i} left the fast path`);
    }
  });

  it('agrees with zod on mutated events, and leaves whatever zod refuses to zod', () => {
    const random = createRandom(31_337);
    const events = generatedEvents(1_000);
    let vouched = 0;
    let left = 0;
    for (let n = 0; n < 20_000; n += 1) {
      const event = JSON.parse(JSON.stringify(pick(random, events))) as Record<string, unknown>;
      const count = 1 + Math.floor(random() * 3);
      for (let m = 0; m < count; m += 1) mutate(event, random);
      // Through JSON, as both ingresses see an event.
      const input = JSON.parse(JSON.stringify(event));
      if (assertAgrees(input, `case ${n}: ${JSON.stringify(input)}`)) vouched += 1;
      else left += 1;
    }
    // Both sides were exercised, often enough to mean something.
    assert.ok(vouched > 1_000, `vouched for ${vouched}`);
    assert.ok(left > 1_000, `left ${left} to zod`);
  });

  it('leaves to zod what JSON cannot hold: explicit undefined, other prototypes', () => {
    const [event] = generatedEvents(1);
    assert.notEqual(fastParse(event), undefined);
    assert.equal(fastParse({ ...event, currency: undefined }), undefined);
    assert.equal(fastParse(Object.assign(Object.create(null), event)), undefined);
    assert.equal(fastParse([event]), undefined);
    assert.equal(fastParse(null), undefined);
  });
});
