import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { toDeadLetterRecord } from '../../src/sink/dead-letter.js';

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
    });
  });

  it('counts attempts and keeps the first failure of a redriven message', () => {
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
    assert.equal(attempts, 3);
    assert.equal(String(record.headers?.['adgate-first-failed-at']), '2026-11-20T00:00:00.000Z');
    assert.equal(String(record.headers?.['adgate-original-offset']), '17');
  });
});
