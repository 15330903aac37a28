/** EventRows for writing straight through src/store/write-events.ts, without Kafka. */
import { randomBytes } from 'node:crypto';
import type pg from 'pg';
import {
  type IdempotencyKey,
  idempotencyKey,
  KEY_BYTES,
  keyFromBytes,
} from '../../src/event/idempotency-key.js';
import { validateEvent } from '../../src/event/validate-event.js';
import type { EventRow } from '../../src/store/encode-copy-rows.js';
import { ensureDayPartitions, writeEvents } from '../../src/store/write-events.js';
import type { TestEvent } from './events.js';

// The store does not check the acceptance window (the sink did before it):
// tests write events at fixed hours, whatever today is.
const ANY_TIME = { pastMs: Number.MAX_SAFE_INTEGER, futureMs: Number.MAX_SAFE_INTEGER };

let nextOffset = 0n;

/** The row the sink would write for `input` (validated, keyed as SPEC §2 says). */
export function eventRow(input: TestEvent): EventRow {
  const validation = validateEvent(input, Date.now(), ANY_TIME);
  if (!validation.ok) throw new Error(`invalid test event: ${JSON.stringify(validation.issues)}`);
  nextOffset += 1n;
  return {
    key: idempotencyKey(validation.event),
    event: validation.event,
    source: 'test',
    receivedAtMs: Date.now(),
    partition: 0,
    offset: nextOffset,
  };
}

/** A random idempotency key, of `bytes` bytes (a dedup store's test: the scripts take 16 only). */
export function randomKey(bytes = KEY_BYTES): IdempotencyKey {
  return keyFromBytes(randomBytes(bytes));
}

/** Writes `events` as one sink batch (one transaction); returns how many were new. */
export async function writeTestEvents(
  pool: pg.Pool,
  events: readonly TestEvent[],
): Promise<number> {
  const days = [...new Set(events.map((e) => new Date(e.occurred_at).toISOString().slice(0, 10)))];
  await ensureDayPartitions(pool, days);
  const result = await writeEvents(pool, events.map(eventRow), {
    groupId: 'test',
    topic: 'test',
    next: new Map(),
  });
  return result.inserted;
}
