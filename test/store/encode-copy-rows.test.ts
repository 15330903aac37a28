import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AdEvent } from '../../src/event/event-schema.js';
import { keyBytes, keyFromBytes } from '../../src/event/idempotency-key.js';
import {
  COPY_COLUMNS,
  CopyEncoder,
  type EventRow,
  encodeCopyRows,
} from '../../src/store/encode-copy-rows.js';
import { createRandom } from '../../testkit/stream/stream-events.js';

const event: AdEvent = {
  type: 'click',
  impression_id: 'imp-1',
  occurred_at: '2026-11-24T01:00:00.000Z',
  occurredAtMs: Date.parse('2026-11-24T01:00:00.000Z'),
  campaign_id: 'c1',
  ad_id: 'a1',
  publisher_id: 'p1',
  cost_micros: 250,
  revenue_micros: 0,
  currency: 'EUR',
  attributes: { note: 'tab\there\nnewline \\ backslash' },
};

describe('encodeCopyRows', () => {
  it('writes one escaped COPY text line per row, one value per column of COPY_COLUMNS', () => {
    const line = encodeCopyRows([
      {
        key: keyFromBytes(Buffer.from('00ff', 'hex')),
        event,
        source: 'ads-eu',
        receivedAtMs: Date.parse('2026-11-24T01:00:01.000Z'),
        partition: 3,
        offset: 42n,
      },
    ]);
    const values = line.slice(0, -1).split('\t');
    assert.equal(values.length, COPY_COLUMNS.length);
    const field = (column: (typeof COPY_COLUMNS)[number]) => values[COPY_COLUMNS.indexOf(column)];
    assert.equal(field('idempotency_key'), '\\\\x00ff');
    assert.equal(field('conversion_id'), '\\N', 'conversion_id is NULL for a click');
    assert.equal(field('currency'), 'EUR');
    assert.equal(field('attributes'), '{"note":"tab\\\\there\\\\nnewline \\\\\\\\ backslash"}');
    assert.doesNotMatch(field('attributes') ?? '', /[\t\n]/);
    assert.equal(field('source'), 'ads-eu');
    assert.equal(field('received_at'), '2026-11-24T01:00:01.000Z');
    assert.equal(field('kafka_partition'), '3');
    assert.equal(field('kafka_offset'), '42');
    assert.ok(line.endsWith('\n'));
  });

  it('writes the bytes a template per row would (the former encoder), whatever the text', () => {
    const random = createRandom(4_242);
    const rows = Array.from({ length: 3_000 }, (_, i) => randomRow(random, i));
    const encoder = new CopyEncoder();
    // Batches of every size, on one encoder: a reused buffer leaves no trace.
    for (let from = 0; from < rows.length; ) {
      const size = Math.floor(random() * (random() < 0.1 ? 1_500 : 40));
      const batch = rows.slice(from, from + size);
      from += size;
      const written = encoder.encode(batch);
      assert.ok(written.equals(Buffer.from(templateRows(batch))), `rows ${from - size}..${from}`);
    }
  });
});

/** The encoder as it was, one template string per row: the oracle. */
function templateRows(rows: readonly EventRow[]): string {
  const escapes: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };
  const escaped = (text: string) => text.replace(/[\\\t\n\r]/g, (c) => escapes[c] ?? c);
  let out = '';
  for (const { key, event: e, source, receivedAtMs, partition, offset } of rows) {
    const attributes = e.attributes === undefined ? '\\N' : escaped(JSON.stringify(e.attributes));
    out +=
      `\\\\x${keyBytes(key).toString('hex')}\t${e.type}\t${e.impression_id}\t${e.occurred_at}\t` +
      `${e.campaign_id}\t${e.ad_id}\t${e.publisher_id}\t${e.conversion_id ?? '\\N'}\t` +
      `${e.cost_micros}\t${e.revenue_micros}\t${e.currency}\t${attributes}\t` +
      `${escaped(source)}\t${new Date(receivedAtMs).toISOString()}\t${partition}\t${offset}\n`;
  }
  return out;
}

// Characters COPY escapes, multi-byte UTF-8 of every length, and a lone
// surrogate (refused before the store, yet encoded as Buffer.from would).
const CHARS = [...'aZ9 -\\\t\n\ré€\u{1F600}\uFFFF"\u0001'].concat('\ud800');

function randomRow(random: () => number, i: number): EventRow {
  const text = (max: number) =>
    Array.from(
      { length: Math.floor(random() * max) },
      () => CHARS[Math.floor(random() * CHARS.length)],
    ).join('');
  const attributes =
    random() < 0.5
      ? undefined
      : Object.fromEntries(
          Array.from({ length: Math.floor(random() * 5) }, (_, k) => [`${text(4)}${k}`, text(40)]),
        );
  const big = random() < 0.01 ? { blob: 'x\t'.repeat(100_000) } : undefined;
  return {
    key: keyFromBytes(Buffer.from(Array.from({ length: 16 }, () => Math.floor(random() * 256)))),
    event: {
      ...event,
      type: random() < 0.1 ? 'conversion' : 'click',
      impression_id: `imp-${i}`,
      conversion_id: random() < 0.1 ? `conv-${i}` : undefined,
      cost_micros: Math.floor(random() * 1e15),
      revenue_micros: random() < 0.5 ? 0 : 1e15,
      attributes: big ?? attributes,
    },
    source: random() < 0.8 ? 'kafka' : text(10),
    receivedAtMs: 1_700_000_000_000 + Math.floor(random() * 3) * 1_000 + i,
    partition: Math.floor(random() * 64),
    offset: BigInt(Math.floor(random() * 2 ** 53)) * 1_000n,
  };
}
