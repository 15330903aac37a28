import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { recordBytes } from '../../src/kafka/record-size.js';
import type { OutboundMessage } from '../../src/kafka/types.js';
import { fitDeadLetter, toDeadLetterRecord } from '../../src/sink/dead-letter.js';

const message = {
  topic: 'ad-events',
  partition: 2,
  offset: 17n,
  key: Buffer.from('imp-1'),
  value: Buffer.from('{not json'),
  headers: { 'adgate-source': Buffer.from('ads-eu') },
  timestampMs: 0,
};

describe('toDeadLetterRecord (SPEC §4)', () => {
  it('keeps the original bytes and sets every header', () => {
    const now = Date.parse('2026-11-24T02:00:00Z');
    const { record, attempts } = toDeadLetterRecord(
      { message, reason: 'unparsable', error: 'bad' },
      now,
    );
    assert.equal(attempts, 1);
    assert.deepEqual(record.value, message.value);
    assert.deepEqual(record.key, message.key);
    assert.deepEqual(record.headers, {
      'adgate-source': Buffer.from('ads-eu'),
      'adgate-reason': 'unparsable',
      'adgate-error': 'bad',
      'adgate-original-topic': 'ad-events',
      'adgate-original-partition': '2',
      'adgate-original-offset': '17',
      'adgate-attempts': '1',
      'adgate-first-failed-at': '2026-11-24T02:00:00.000Z',
      'adgate-last-failed-at': '2026-11-24T02:00:00.000Z',
    });
  });

  // The DLQ consumer raised adgate-attempts when it sent the message back
  // (SPEC §4): the failure is that attempt, not one more.
  it('records the attempt a redriven message was and keeps its first failure', () => {
    const redriven = {
      ...message,
      partition: 0,
      offset: 99n,
      headers: {
        'adgate-attempts': Buffer.from('2'),
        'adgate-first-failed-at': Buffer.from('2026-11-20T00:00:00.000Z'),
        'adgate-original-topic': Buffer.from('ad-events'),
        'adgate-original-partition': Buffer.from('2'),
        'adgate-original-offset': Buffer.from('17'),
      },
    };
    const { record, attempts } = toDeadLetterRecord(
      { message: redriven, reason: 'write_failed', error: 'x' },
      Date.now(),
    );
    assert.equal(attempts, 2);
    assert.equal(String(record.headers?.['adgate-attempts']), '2');
    assert.equal(String(record.headers?.['adgate-first-failed-at']), '2026-11-20T00:00:00.000Z');
    assert.equal(String(record.headers?.['adgate-original-offset']), '17');
  });
});

describe('toDeadLetterRecord: a tombstone', () => {
  it('keeps its value null, not empty', () => {
    const { record } = toDeadLetterRecord(
      { message: { ...message, value: null }, reason: 'unparsable', error: 'no value' },
      Date.now(),
    );
    assert.equal(record.value, null);
  });
});

describe('fitDeadLetter (SPEC §4: a dead letter always fits)', () => {
  const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');
  const letter = (value: Buffer | null, headers: Record<string, Buffer> = {}) =>
    toDeadLetterRecord(
      { message: { ...message, value, headers }, reason: 'unparsable', error: 'not JSON' },
      0,
    ).record;

  it('leaves a record that fits as it is', () => {
    const record = letter(Buffer.alloc(1_000, 'a'));
    const fitted = fitDeadLetter(record, recordBytes(record));
    assert.equal(fitted.cut, false);
    assert.equal(fitted.record, record);
  });

  it('cuts the value to a prefix that fits, marked with the original length and SHA-256', () => {
    const value = Buffer.alloc(100_000);
    for (let i = 0; i < value.length; i += 1) value[i] = i % 251;
    const record = letter(value, { 'adgate-source': Buffer.from('ads-eu') });
    const fitted = fitDeadLetter(record, 10_000);
    assert.equal(fitted.cut, true);
    assert.ok(recordBytes(fitted.record) <= 10_000, `${recordBytes(fitted.record)} bytes`);
    const headers = fitted.record.headers ?? {};
    assert.equal(headers['adgate-value-truncated'], '100000');
    assert.equal(headers['adgate-value-sha256'], sha256(value));
    const sent = fitted.record.value as Buffer;
    assert.ok(sent.length > 5_000, 'keeps as much of the value as fits');
    assert.ok(value.subarray(0, sent.length).equals(sent), 'a prefix of the original bytes');
    // Everything else of SPEC §4 is kept.
    assert.deepEqual(fitted.record.key, record.key);
    for (const name of Object.keys(record.headers ?? {})) assert.ok(name in headers, name);
  });

  it('drops the original message’s own headers when they alone do not fit, and says how many', () => {
    const record = letter(Buffer.alloc(5_000, 'v'), {
      'x-big': Buffer.alloc(20_000, 'h'),
      'x-small': Buffer.from('yes'),
      'adgate-source': Buffer.from('ads-eu'),
    });
    const fitted = fitDeadLetter(record, 8_000);
    const headers = fitted.record.headers ?? {};
    assert.ok(recordBytes(fitted.record) <= 8_000);
    assert.equal(headers['x-big'], undefined);
    assert.equal(headers['x-small'], undefined);
    assert.equal(headers['adgate-headers-dropped'], '2');
    assert.equal(String(headers['adgate-source']), 'ads-eu', "adgate's own headers are kept");
    assert.equal(headers['adgate-reason'], 'unparsable');
    assert.equal(headers['adgate-value-truncated'], '5000');
  });

  it('drops a key too large to fit, marked with its length', () => {
    const record: OutboundMessage = { ...letter(Buffer.from('v')), key: Buffer.alloc(9_000, 'k') };
    const fitted = fitDeadLetter(record, 4_000);
    assert.ok(recordBytes(fitted.record) <= 4_000);
    assert.equal(fitted.record.key, null);
    assert.equal(fitted.record.headers?.['adgate-key-truncated'], '9000');
  });

  it('keeps a tombstone null and marks nothing about a value it never had', () => {
    const record: OutboundMessage = { ...letter(null), key: Buffer.alloc(9_000, 'k') };
    const fitted = fitDeadLetter(record, 4_000);
    assert.equal(fitted.record.value, null);
    assert.equal(fitted.record.headers?.['adgate-value-truncated'], undefined);
  });
});
