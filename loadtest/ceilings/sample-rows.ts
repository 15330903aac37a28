import { idempotencyKey } from '../../src/event/idempotency-key.js';
import { validateEvent } from '../../src/event/validate-event.js';
import type { EventRow } from '../../src/store/encode-copy-rows.js';
import { type ChunkedStreamOptions, generateChunks } from '../../testkit/stream/generate-chunks.js';

export interface StreamSample {
  /** The rows the sink would COPY for the valid messages, in stream order. */
  readonly rows: EventRow[];
  /** The messages' JSON, malformed ones included: what Kafka carries. */
  readonly payloads: string[];
}

const WINDOW = { pastMs: 7 * 86_400_000, futureMs: 5 * 60_000 };

/**
 * The first `count` messages of the run's own stream, decoded as the sink
 * decodes them (validation, idempotency key), so that every ceiling works
 * on the same rows and sizes as the gateway.
 */
export function sampleStream(options: ChunkedStreamOptions, count: number): StreamSample {
  const rows: EventRow[] = [];
  const payloads: string[] = [];
  const now = Date.now();
  for (const chunk of generateChunks(options)) {
    for (const item of chunk.items) {
      if (payloads.length >= count) return { rows, payloads };
      payloads.push(item.json);
      let json: unknown;
      try {
        json = JSON.parse(item.json);
      } catch {
        continue;
      }
      const result = validateEvent(json, now, WINDOW);
      if (!result.ok) continue;
      rows.push({
        key: idempotencyKey(result.event),
        event: result.event,
        source: 'bench',
        receivedAtMs: now,
        partition: 0,
        offset: BigInt(rows.length),
      });
    }
  }
  throw new Error('unreachable: the stream is infinite');
}

/** The first row of each idempotency key, in order: the rows PostgreSQL would keep. */
export function distinctRows(rows: readonly EventRow[]): EventRow[] {
  const seen = new Set<string>();
  return rows.filter((row) => {
    if (seen.has(row.key)) return false;
    seen.add(row.key);
    return true;
  });
}
