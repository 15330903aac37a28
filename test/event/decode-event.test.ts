import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeEvent, type EventRules } from '../../src/event/decode-event.js';

const NOW = Date.parse('2026-11-24T02:00:00Z');
const RULES: EventRules = {
  window: { pastMs: 7 * 86_400_000, futureMs: 300_000 },
  maxEventBytes: 1024,
};
const valid = {
  type: 'impression',
  impression_id: 'imp-1',
  occurred_at: '2026-11-24T01:00:00Z',
  campaign_id: 'c1',
  ad_id: 'a1',
  publisher_id: 'p1',
};
const json = (value: unknown) => Buffer.from(JSON.stringify(value));

function reasonOf(bytes: Buffer | null): string {
  const verdict = decodeEvent(bytes, NOW, RULES);
  return verdict.ok ? 'ok' : verdict.reason;
}

/** `valid` followed by spaces, to exactly `size` bytes. */
function padded(size: number): Buffer {
  const text = JSON.stringify(valid);
  return Buffer.from(text + ' '.repeat(size - text.length));
}

describe('decodeEvent: the one rule of both ingresses (SPEC §1)', () => {
  it('accepts a valid event and normalises it', () => {
    const verdict = decodeEvent(json(valid), NOW, RULES);
    assert.ok(verdict.ok);
    assert.equal(verdict.event.occurred_at, '2026-11-24T01:00:00.000Z');
  });

  it('an empty value or a tombstone is unparsable', () => {
    assert.equal(reasonOf(null), 'unparsable');
    assert.equal(reasonOf(Buffer.alloc(0)), 'unparsable');
  });

  it('is too_large past maxEventBytes, counted on the bytes, whitespace included', () => {
    assert.equal(reasonOf(padded(1024)), 'ok');
    assert.equal(reasonOf(padded(1025)), 'too_large');
    assert.equal(reasonOf(padded(2 * 1024 * 1024)), 'too_large');
    // Bytes, not UTF-16 units: 300 three-byte characters are 900 bytes.
    const wide = json({ ...valid, attributes: { a: '€'.repeat(250), b: '€'.repeat(100) } });
    assert.ok(wide.length > 1024 && JSON.stringify(JSON.parse(wide.toString())).length < 1024);
    assert.equal(reasonOf(wide), 'too_large');
    const verdict = decodeEvent(padded(1025), NOW, RULES);
    assert.ok(!verdict.ok);
    assert.match(verdict.issues[0]?.message ?? '', /1025 bytes; at most 1024/);
  });

  it('given the value the bytes serialise, judges that value, after the size of the bytes', () => {
    const values: unknown[] = [
      valid,
      { ...valid, cost_micros: -0 },
      { ...valid, cost_micros: 1.5 },
      { ...valid, attributes: { k: 'x\ud800' } },
      JSON.parse(`{${JSON.stringify(valid).slice(1, -1)},"__proto__":{"x":1}}`),
      [valid],
      'an event',
      null,
    ];
    for (const value of values) {
      const bytes = json(value);
      const once = decodeEvent(bytes, NOW, RULES, { value });
      const twice = decodeEvent(bytes, NOW, RULES);
      assert.deepEqual(
        JSON.parse(JSON.stringify(once)),
        JSON.parse(JSON.stringify(twice)),
        JSON.stringify(value),
      );
    }
    const big = { ...valid, attributes: { a: 'x'.repeat(1024) } };
    const verdict = decodeEvent(json(big), NOW, RULES, { value: big });
    assert.equal(verdict.ok ? 'ok' : verdict.reason, 'too_large');
  });

  it('refuses U+0000 and lone surrogates that escapes bring, and takes other escapes', () => {
    const text = JSON.stringify({ ...valid, attributes: { k: 'MARK' } });
    const withValue = (escaped: string) => Buffer.from(text.replace('MARK', escaped));
    assert.equal(reasonOf(withValue('a\\u0000b')), 'invalid');
    assert.equal(reasonOf(withValue('\\ud800')), 'invalid');
    assert.equal(reasonOf(withValue('\\udc00x')), 'invalid');
    assert.equal(reasonOf(withValue('\\ud83d\\ude00 \\\\u0000 \\t \\"')), 'ok');
    assert.equal(reasonOf(withValue('no escape at all')), 'ok');
  });

  it('bytes that are not UTF-8 are unparsable, never decoded with U+FFFD', () => {
    const withBytes = (...bytes: number[]) =>
      Buffer.concat([
        Buffer.from(`${JSON.stringify(valid).slice(0, -1)},"attributes":{"k":"`),
        Buffer.from(bytes),
        Buffer.from('"}}'),
      ]);
    assert.equal(reasonOf(withBytes(0xc3, 0xa9)), 'ok', 'é is fine');
    for (const bad of [
      [0xff],
      [0xc3],
      [0xc3, 0x28],
      [0xc0, 0x80],
      [0xed, 0xa0, 0x80],
      [0xf4, 0x90, 0x80, 0x80],
    ]) {
      const verdict = decodeEvent(withBytes(...bad), NOW, RULES);
      assert.ok(!verdict.ok && verdict.reason === 'unparsable', `bytes ${bad}`);
      assert.match(verdict.issues[0]?.message ?? '', /UTF-8/);
    }
  });

  it('text that is not JSON is unparsable; JSON that breaks SPEC §1 is invalid', () => {
    assert.equal(reasonOf(Buffer.from('{"type":')), 'unparsable');
    assert.equal(reasonOf(Buffer.from('\uFEFF{}')), 'unparsable');
    assert.equal(reasonOf(json({ ...valid, cost_micros: 1.5 })), 'invalid');
    assert.equal(reasonOf(json({ ...valid, attributes: { k: '\u0000' } })), 'invalid');
    assert.equal(reasonOf(json({ ...valid, attributes: { k: '\ud800' } })), 'invalid');
    assert.equal(reasonOf(json([valid])), 'invalid');
  });
});
