import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { readBeside } from '../shared/read-beside.js';
import { BEGIN_WITHOUT_JIT } from './begin-without-jit.js';
import { classifyPgError } from './classify-pg-error.js';
import { COPY_COLUMNS, CopyEncoder, type EventRow } from './encode-copy-rows.js';

const CREATE_STAGING = readBeside(import.meta.url, './sql/create-staging.sql');
const INSERT_FROM_STAGING = readBeside(import.meta.url, './sql/insert-from-staging.sql');
const RECORD_OFFSETS = readBeside(import.meta.url, './sql/record-offsets.sql');
const COPY_STAGING = `COPY adgate_staging (${COPY_COLUMNS.join(', ')}) FROM STDIN`;

export interface OffsetRecord {
  readonly groupId: string;
  readonly topic: string;
  /** The next offset to read, per partition. */
  readonly next: ReadonlyMap<number, bigint>;
}

export interface WriteResult {
  /** Rows that were new to ad_events; the rest were duplicates by PostgreSQL's account. */
  readonly inserted: number;
  /** The inserted rows by type, and the clicks and conversions among them without their impression. */
  readonly byType: TypeCounts;
}

export interface TypeCounts {
  readonly impressions: number;
  readonly clicks: number;
  readonly conversions: number;
  readonly orphanClicks: number;
  readonly orphanConversions: number;
}

export const NO_ROWS: TypeCounts = {
  impressions: 0,
  clicks: 0,
  conversions: 0,
  orphanClicks: 0,
  orphanConversions: 0,
};

/** The sum of two batches' counts (the sink's split writes add up). */
export function addTypeCounts(a: TypeCounts, b: TypeCounts): TypeCounts {
  return {
    impressions: a.impressions + b.impressions,
    clicks: a.clicks + b.clicks,
    conversions: a.conversions + b.conversions,
    orphanClicks: a.orphanClicks + b.orphanClicks,
    orphanConversions: a.orphanConversions + b.orphanConversions,
  };
}

interface InsertedRow {
  inserted: number;
  impressions: number;
  clicks: number;
  conversions: number;
  orphan_clicks: number;
  orphan_conversions: number;
}

/** Per connection: its staging table exists, and the encoder whose buffer its COPYs reuse. */
const preparedClients = new WeakMap<pg.PoolClient, CopyEncoder>();

/**
 * Writes one batch in one transaction: COPY into the connection's staging
 * table, insert the keys PostgreSQL has not seen, update billing from the
 * rows inserted, record the offsets. Throws a classified AdgateError:
 * WriteRejectedError when the rows themselves were refused.
 */
export async function writeEvents(
  pool: pg.Pool,
  rows: readonly EventRow[],
  offsets: OffsetRecord,
): Promise<WriteResult> {
  let client: pg.PoolClient | undefined;
  let broken = false;
  try {
    client = await pool.connect();
    let encoder = preparedClients.get(client);
    if (encoder === undefined) {
      await client.query(CREATE_STAGING);
      encoder = new CopyEncoder();
      preparedClients.set(client, encoder);
    }
    const copyText = encoder.encode(rows);
    // No JIT: the arbiter statement's estimate (CTEs the planner cannot
    // size, the orphan probes' subplans) would compile it at every batch.
    await client.query(BEGIN_WITHOUT_JIT);
    // Unsorted: the SQL takes its locks in key order (ORDER BY), and
    // PostgreSQL's memcmp sort costs less than a JavaScript one here.
    await pipeline(
      (async function* () {
        yield copyText;
      })(),
      client.query(copyFrom(COPY_STAGING)),
    );
    const result = await client.query<InsertedRow>(INSERT_FROM_STAGING);
    if (offsets.next.size > 0) {
      const partitions = [...offsets.next.keys()];
      await client.query(RECORD_OFFSETS, [
        offsets.groupId,
        offsets.topic,
        partitions,
        partitions.map((p) => String(offsets.next.get(p))),
      ]);
    }
    await client.query('COMMIT');
    const r = result.rows[0];
    if (r === undefined) return { inserted: 0, byType: NO_ROWS };
    return {
      inserted: r.inserted,
      byType: {
        impressions: r.impressions,
        clicks: r.clicks,
        conversions: r.conversions,
        orphanClicks: r.orphan_clicks,
        orphanConversions: r.orphan_conversions,
      },
    };
  } catch (error) {
    if (client !== undefined) {
      await client.query('ROLLBACK').catch(() => {
        broken = true;
      });
    }
    throw classifyPgError(error);
  } finally {
    // A connection whose ROLLBACK failed is in an unknown state: discard it.
    client?.release(broken ? true : undefined);
  }
}

/** Creates the day partitions of ad_events that `days` (UTC, YYYY-MM-DD) need. */
export async function ensureDayPartitions(pool: pg.Pool, days: readonly string[]): Promise<void> {
  try {
    for (const day of days) {
      await pool
        .query('SELECT adgate_ensure_day_partition($1::date)', [day])
        .catch(unlessCreatedMeanwhile);
    }
  } catch (error) {
    throw classifyPgError(error);
  }
}

/**
 * The function's second look, under its advisory lock, can miss a partition
 * another session has just created (an advisory lock does not refresh the
 * catalog cache), and its CREATE then fails with 42P07 duplicate_table:
 * seen with two sink workers starting together. The partition exists, which
 * is all that was asked.
 */
function unlessCreatedMeanwhile(error: unknown): void {
  if ((error as { code?: unknown }).code !== '42P07') throw error;
}

/** The next offsets recorded in PostgreSQL for a group's partitions. */
export async function readRecordedOffsets(
  pool: pg.Pool,
  groupId: string,
  topic: string,
): Promise<Map<number, bigint>> {
  try {
    const { rows } = await pool.query<{ partition: number; next_offset: string }>(
      'SELECT partition, next_offset FROM sink_offsets WHERE group_id = $1 AND topic = $2',
      [groupId, topic],
    );
    return new Map(rows.map((r) => [r.partition, BigInt(r.next_offset)]));
  } catch (error) {
    throw classifyPgError(error);
  }
}
