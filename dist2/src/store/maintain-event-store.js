import { classifyPgError } from './classify-pg-error.js';
import { ensureDayPartitions } from './write-events.js';
const DAY_MS = 24 * 60 * 60 * 1000;
const PRUNE_CHUNK = 10_000;
const PRUNE_LOCK_ID = 0x61646770; // one pruner at a time across instances
/** UTC days (YYYY-MM-DD) from `fromMs` to `toMs`, both included. */
export function utcDays(fromMs, toMs) {
    const days = [];
    for (let t = Math.floor(fromMs / DAY_MS) * DAY_MS; t <= toMs; t += DAY_MS) {
        days.push(new Date(t).toISOString().slice(0, 10));
    }
    return days;
}
/**
 * Creates the day partitions the acceptance window can need from now to
 * two days ahead, so that the hot path rarely has to.
 */
export async function createPartitionsAhead(pool, acceptPastMs, nowMs = Date.now()) {
    const days = utcDays(nowMs - acceptPastMs, nowMs + 2 * DAY_MS);
    await ensureDayPartitions(pool, days);
    return days;
}
/**
 * Forgets idempotency keys written longer ago than the dedup window, in
 * small chunks so that no long transaction holds up the writers. Returns
 * the number of keys removed, or 0 when another instance holds the job.
 */
export async function pruneEventKeys(pool, windowMs) {
    const client = await pool.connect().catch((error) => {
        throw classifyPgError(error);
    });
    try {
        const { rows } = await client.query('SELECT pg_try_advisory_lock($1) AS locked', [PRUNE_LOCK_ID]);
        if (!rows[0]?.locked)
            return 0;
        let removed = 0;
        try {
            for (;;) {
                const result = await client.query(`DELETE FROM event_keys WHERE ctid = ANY (ARRAY(
             SELECT ctid FROM event_keys
             WHERE written_at < now() - make_interval(secs => $1::double precision / 1000)
             LIMIT ${PRUNE_CHUNK}))`, [windowMs]);
                removed += result.rowCount ?? 0;
                if ((result.rowCount ?? 0) < PRUNE_CHUNK)
                    return removed;
            }
        }
        finally {
            await client.query('SELECT pg_advisory_unlock($1)', [PRUNE_LOCK_ID]);
        }
    }
    catch (error) {
        throw classifyPgError(error);
    }
    finally {
        client.release();
    }
}
//# sourceMappingURL=maintain-event-store.js.map