import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { backoffMs, judgeLetter, readLetter } from '../../src/dlq/judge-letter.js';
import type { InboundMessage } from '../../src/kafka/types.js';

const policy = { maxAttempts: 3, baseBackoffMs: 1_000, maxBackoffMs: 3_000 };

function letter(headers: Record<string, string>): InboundMessage {
  const encoded: Record<string, Buffer> = {};
  for (const [k, v] of Object.entries(headers)) encoded[k] = Buffer.from(v);
  return {
    topic: 'ad-events.dlq',
    partition: 0,
    offset: 5n,
    key: Buffer.from('k'),
    value: Buffer.from('{}'),
    headers: encoded,
    timestampMs: 0,
  };
}

describe('judgeLetter (SPEC §4)', () => {
  const failedAt = Date.parse('2026-12-01T00:00:00.000Z');
  const writeFailed = (attempts: number, extra: Record<string, string> = {}) =>
    readLetter(
      letter({
        'adgate-reason': 'write_failed',
        'adgate-attempts': String(attempts),
        'adgate-first-failed-at': '2026-11-30T00:00:00.000Z',
        'adgate-last-failed-at': new Date(failedAt).toISOString(),
        ...extra,
      }),
    );

  it('doubles the backoff per attempt, capped', () => {
    assert.deepEqual(
      [1, 2, 3, 4].map((n) => backoffMs(n, policy)),
      [1_000, 2_000, 3_000, 3_000],
    );
  });

  it('waits for a write_failed letter until its backoff from the last failure is over', () => {
    assert.deepEqual(judgeLetter(writeFailed(2), policy, failedAt + 1_999), {
      action: 'wait',
      dueAtMs: failedAt + 2_000,
    });
    assert.deepEqual(judgeLetter(writeFailed(2), policy, failedAt + 2_000), { action: 'retry' });
  });

  it('counts from the first failure when a letter has no last-failed header', () => {
    const facts = readLetter(
      letter({
        'adgate-reason': 'write_failed',
        'adgate-attempts': '1',
        'adgate-first-failed-at': new Date(failedAt).toISOString(),
      }),
    );
    assert.equal(facts.lastFailedAtMs, failedAt);
  });

  it('sends a letter at its last attempt to the dead topic', () => {
    assert.equal(judgeLetter(writeFailed(3), policy, failedAt).action, 'dead');
  });

  it('keeps what would fail the same way again, and a value cut to fit', () => {
    for (const reason of ['unparsable', 'invalid', 'too_large', 'something-new']) {
      const facts = readLetter(letter({ 'adgate-reason': reason, 'adgate-attempts': '1' }));
      assert.equal(judgeLetter(facts, policy, Date.now()).action, 'keep', reason);
    }
    const cut = writeFailed(1, { 'adgate-value-truncated': '70000' });
    assert.equal(judgeLetter(cut, policy, failedAt + 10_000).action, 'keep');
  });

  it('reads garbled attempts as a first attempt', () => {
    assert.equal(readLetter(letter({ 'adgate-attempts': 'x' })).attempts, 1);
  });
});
