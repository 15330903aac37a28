import { createPool } from '../../src/store/create-pool.js';
import type { EventRow } from '../../src/store/encode-copy-rows.js';
import { migrate } from '../../src/store/migrate.js';
import { writeEvents } from '../../src/store/write-events.js';
import { createLogger } from '../../src/telemetry/logger.js';
import type { CeilingResult } from './kafka-perf.js';
import { distinctRows } from './sample-rows.js';

const BATCH = 5_000;

/**
 * Not a stage ceiling but a diagnosis: adgate's own PostgreSQL write path
 * (src/store/write-events.ts: COPY into staging, INSERT … ON CONFLICT into
 * event_keys and ad_events, the billing upsert, the offsets), alone, on the
 * stream's distinct rows, 5,000 a transaction, in a scratch database
 * migrated like the gateway's. Set beside the raw COPY, it shows what the
 * indexes, the arbitration and the billing cost; set beside the gateway,
 * what Redis, Kafka and the event loop add.
 */
export async function writePathCeiling(
  databaseUrl: string,
  rows: readonly EventRow[],
  days: readonly string[],
  seconds: number,
): Promise<CeilingResult> {
  const distinct = distinctRows(rows);
  await migrate(databaseUrl, createLogger('error'));
  const pool = createPool(databaseUrl, 1, createLogger('error'));
  try {
    for (const day of days) await pool.query('SELECT adgate_ensure_day_partition($1::date)', [day]);
    const started = performance.now();
    let written = 0;
    for (
      let i = 0;
      i < distinct.length && performance.now() - started < seconds * 1000;
      i += BATCH
    ) {
      const batch = distinct.slice(i, i + BATCH);
      await writeEvents(pool, batch, {
        groupId: 'bench-write-path',
        topic: 'bench-write-path',
        next: new Map([[0, BigInt(i + batch.length)]]),
      });
      written += batch.length;
    }
    const elapsed = (performance.now() - started) / 1000;
    return {
      name: 'adgate writeEvents',
      perSecond: elapsed > 0 ? written / elapsed : 0,
      records: written,
      seconds: elapsed,
      detail: `src/store/write-events.ts alone, ${BATCH} distinct rows a transaction`,
      diagnosis: true,
    };
  } finally {
    await pool.end();
  }
}
