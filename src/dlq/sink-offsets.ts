import type pg from 'pg';
import { classifyPgError } from '../store/classify-pg-error.js';

/**
 * The positions the sink records in PostgreSQL (sink_offsets, written in
 * the same transaction as the events: migrations/0001). Below its recorded
 * position the sink skips messages as landed before, so a rewind must move
 * this position back together with Kafka's committed offset, or the
 * messages it means to read again are passed over.
 */
/** Sets the recorded positions of these partitions, lower or higher, in one transaction. */
export async function setSinkOffsets(
  pool: pg.Pool,
  groupId: string,
  topic: string,
  offsets: ReadonlyMap<number, bigint>,
): Promise<void> {
  const partitions = [...offsets.keys()];
  const values = [...offsets.values()].map(String);
  try {
    await pool.query(
      `INSERT INTO sink_offsets (group_id, topic, partition, next_offset)
       SELECT $1, $2, p, o FROM unnest($3::integer[], $4::bigint[]) AS t(p, o)
       ON CONFLICT (group_id, topic, partition) DO UPDATE SET
         next_offset = excluded.next_offset, updated_at = now()`,
      [groupId, topic, partitions, values],
    );
  } catch (error) {
    throw classifyPgError(error);
  }
}

/** Forgets every recorded position of the group on the topic (a re-created topic). */
export async function deleteSinkOffsets(
  pool: pg.Pool,
  groupId: string,
  topic: string,
): Promise<number> {
  try {
    const result = await pool.query('DELETE FROM sink_offsets WHERE group_id = $1 AND topic = $2', [
      groupId,
      topic,
    ]);
    return result.rowCount ?? 0;
  } catch (error) {
    throw classifyPgError(error);
  }
}
