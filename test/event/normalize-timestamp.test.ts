import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { normalizeTimestamp } from '../../src/event/normalize-timestamp.js';
import { createRandom } from '../../testkit/stream/stream-events.js';

describe('normalizeTimestamp (SPEC §2)', () => {
  it('gives one form for the same instant written three ways', () => {
    const forms = ['2026-11-24T01:00:00Z', '2026-11-24T01:00:00.000Z', '2026-11-24T02:00:00+01:00'];
    for (const form of forms) {
      assert.equal(normalizeTimestamp(form)?.iso, '2026-11-24T01:00:00.000Z', form);
    }
  });

  it('truncates digits beyond the millisecond, never rounds', () => {
    assert.equal(
      normalizeTimestamp('2026-12-31T23:59:59.9999999Z')?.iso,
      '2026-12-31T23:59:59.999Z',
    );
    assert.equal(normalizeTimestamp('2026-11-24T01:00:00.1Z')?.iso, '2026-11-24T01:00:00.100Z');
    assert.equal(
      normalizeTimestamp('2026-11-24T01:00:00.123456789+00:00')?.iso,
      '2026-11-24T01:00:00.123Z',
    );
  });

  it('handles negative offsets across a day boundary', () => {
    assert.equal(normalizeTimestamp('2026-11-23T21:30:00-05:30')?.iso, '2026-11-24T03:00:00.000Z');
  });

  it('accepts lowercase t and z as RFC 3339 allows', () => {
    assert.equal(normalizeTimestamp('2026-11-24t01:00:00z')?.iso, '2026-11-24T01:00:00.000Z');
  });

  it('refuses timestamps without an offset or that are not real instants', () => {
    for (const bad of [
      '2026-11-24T01:00:00',
      '2026-11-24 01:00:00Z',
      '2026-02-30T00:00:00Z',
      '2026-13-01T00:00:00Z',
      '2026-11-24T24:00:00Z',
      '2026-11-24T01:60:00Z',
      '2026-11-24T01:00:00+25:00',
      '1732410000',
      '',
    ]) {
      assert.equal(normalizeTimestamp(bad), undefined, bad);
    }
  });

  it('accepts Feb 29 in a leap year only', () => {
    assert.ok(normalizeTimestamp('2028-02-29T00:00:00Z'));
    assert.equal(normalizeTimestamp('2027-02-29T00:00:00Z'), undefined);
  });

  it('keeps a timestamp already in the normal form, and its instant', () => {
    const text = '2026-11-24T01:02:03.456Z';
    assert.deepEqual(normalizeTimestamp(text), { epochMs: Date.parse(text), iso: text });
  });

  it('reads years below 100 as they are written, not as 19xx', () => {
    for (const text of ['0050-06-01T00:00:00Z', '0050-06-01T00:00:00.000Z']) {
      const ts = normalizeTimestamp(text);
      assert.equal(ts?.iso, '0050-06-01T00:00:00.000Z', text);
      assert.equal(ts?.epochMs, Date.parse('0050-06-01T00:00:00.000Z'), text);
    }
  });

  it('reads the normal form by character as the regex path reads it, valid or not', () => {
    // The lowercase z sends the same text through the regex path.
    const random = createRandom(2_024);
    const fields = [
      ['0000', '0050', '0099', '0100', '1900', '2000', '2024', '2027', '9999', '20a6', '-026'],
      ['00', '01', '02', '09', '10', '12', '13', '1x', '99'],
      ['00', '01', '28', '29', '30', '31', '32', '99'],
      ['00', '01', '23', '24', '99'],
      ['00', '30', '59', '60'],
      ['00', '30', '59', '60', '61'],
      ['000', '001', '999', '9a9'],
    ];
    const pick = (list: readonly string[]) => list[Math.floor(random() * list.length)] as string;
    for (let n = 0; n < 5_000; n += 1) {
      const [y, mo, d, h, mi, s, ms] = fields.map(pick);
      const text = `${y}-${mo}-${d}T${h}:${mi}:${s}.${ms}Z`;
      const viaRegex = normalizeTimestamp(`${text.slice(0, -1)}z`);
      const expected = viaRegex === undefined ? undefined : { ...viaRegex, iso: text };
      assert.deepEqual(normalizeTimestamp(text), expected, text);
      // Again, now that its day is the one the normal form's reader knows.
      assert.deepEqual(normalizeTimestamp(text), expected, `${text}, read again`);
      if (viaRegex !== undefined) assert.equal(viaRegex.iso, text, `${text}: its normal form`);
    }
  });
});
